using System.Globalization;
using ClinicaDL.Core.Generation;

namespace ClinicaDL.Bench;

/// <summary>synthetic_phantoms_per_s_2mm: participants (one session each) generated and written per second at 2 mm, all cores.</summary>
internal static class SyntheticBenchmark
{
    public static void Run(string workFolder)
    {
        const int participants = 24;
        var output = Path.Combine(workFolder, "synthetic-bench");
        var seconds = Timing.Seconds(() => SyntheticDatasetGenerator.Generate(
            new SyntheticOptions { OutputPath = output, ParticipantCount = participants, SessionCount = 1, VoxelSize = 2 }, overwrite: true));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"synthetic_phantoms_per_s_2mm: {participants / seconds:F2}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"synthetic_threads: {Environment.ProcessorCount}"));
        Directory.Delete(output, recursive: true);
    }
}
