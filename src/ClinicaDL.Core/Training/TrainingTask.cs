using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Training;

/// <summary>
/// What a network learns, as ClinicaDL's task managers (classification, regression, reconstruction) decide it: the
/// default network, label column and loss, the losses and metrics it takes, whether samples need labels, the
/// network's output size and the target tensor of a batch. The engine branches on these instances, never on the
/// task's name; maps.json keeps the name (network_task).
/// </summary>
public abstract class TrainingTask
{
    public static readonly TrainingTask Classification = new ClassificationTask();
    public static readonly TrainingTask Regression = new RegressionTask();
    public static readonly TrainingTask Reconstruction = new ReconstructionTask();

    public static IReadOnlyList<TrainingTask> All { get; } = [Classification, Regression, Reconstruction];

    private TrainingTask(string name) => Name = name;

    /// <summary>ClinicaDL's name: network_task in maps.json.</summary>
    public string Name { get; }

    /// <summary>The network built for architecture "default".</summary>
    public abstract string DefaultArchitecture { get; }

    /// <summary>The label column when none is given.</summary>
    public virtual string DefaultLabel => "diagnosis";

    /// <summary>The losses this task can train with (PyTorch's names); the first is the default.</summary>
    public abstract IReadOnlyList<string> Losses { get; }

    /// <summary>The metrics this task computes besides the loss, in ClinicaDL's order.</summary>
    public abstract IReadOnlyList<string> MetricNames { get; }

    /// <summary>Whether its samples need a label (an autoencoder learns its input back).</summary>
    public virtual bool NeedsLabels => true;

    /// <summary>The network's outputs for this label coding (autoencoders ignore it).</summary>
    public virtual int OutputSize(IReadOnlyDictionary<string, int> labelCode) => 1;

    /// <summary>The target tensor of a batch for the loss.</summary>
    public abstract Tensor Targets(IReadOnlyList<LabeledImage> batch, Tensor input, IReadOnlyDictionary<string, int> labelCode, Device device);

    /// <summary>The task of a name, or an error naming the three there are.</summary>
    public static TrainingTask Parse(string name) => All.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"Task '{name}' is not classification, regression or reconstruction.");

    public override string ToString() => Name;

    private sealed class ClassificationTask() : TrainingTask("classification")
    {
        public override string DefaultArchitecture => "Conv5_FC3";
        public override IReadOnlyList<string> Losses => LossFunction.Classification;
        public override IReadOnlyList<string> MetricNames => Metrics.ClassificationNames;
        public override int OutputSize(IReadOnlyDictionary<string, int> labelCode) => labelCode.Count;

        /// <summary>Class codes, int64.</summary>
        public override Tensor Targets(IReadOnlyList<LabeledImage> batch, Tensor input, IReadOnlyDictionary<string, int> labelCode, Device device) =>
            tensor(batch.Select(s => (long)labelCode[s.Label!]).ToArray()).to(device);
    }

    private sealed class RegressionTask() : TrainingTask("regression")
    {
        public override string DefaultArchitecture => "Conv5_FC3";
        public override string DefaultLabel => "age";
        public override IReadOnlyList<string> Losses => LossFunction.Regression;
        public override IReadOnlyList<string> MetricNames => Metrics.RegressionNames;

        /// <summary>Values [B, 1], float32.</summary>
        public override Tensor Targets(IReadOnlyList<LabeledImage> batch, Tensor input, IReadOnlyDictionary<string, int> labelCode, Device device) =>
            tensor(batch.Select(s => float.Parse(s.Label!, CultureInfo.InvariantCulture)).ToArray(), [batch.Count, 1]).to(device);
    }

    private sealed class ReconstructionTask() : TrainingTask("reconstruction")
    {
        public override string DefaultArchitecture => "AE_Conv5_FC3";
        public override IReadOnlyList<string> Losses => LossFunction.Reconstruction;
        public override IReadOnlyList<string> MetricNames => ReconstructionMetrics.Names;
        public override bool NeedsLabels => false;

        /// <summary>The input itself (as in ClinicaDL, the augmented input when training).</summary>
        public override Tensor Targets(IReadOnlyList<LabeledImage> batch, Tensor input, IReadOnlyDictionary<string, int> labelCode, Device device) => input;
    }
}
