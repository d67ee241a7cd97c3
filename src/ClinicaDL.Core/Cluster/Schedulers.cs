namespace ClinicaDL.Core.Cluster;

/// <summary>Where the parts of a job run: Local (this process, or child processes with a throttle above 1) or Slurm (an array job).</summary>
public static class Schedulers
{
    public const string Local = nameof(Local);
    public const string Slurm = nameof(Slurm);

    public static IReadOnlyList<string> Names { get; } = [Local, Slurm];
}
