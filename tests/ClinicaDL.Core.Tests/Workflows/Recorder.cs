using ClinicaDL.Core.Workflows;

namespace ClinicaDL.Core.Tests.Workflows;

/// <summary>A training's progress reports, handled on the training thread (System.Progress posts them to the thread pool).</summary>
internal sealed class Recorder(Action<TrainingProgress> report) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => report(value);
}
