namespace ClinicaDL.Core.Cluster;

/// <summary>One task of a job: its scheduler state and, read from the output, how far its part has got.</summary>
public sealed class ClusterTask
{
    public required string JobId { get; init; }
    public required int TaskId { get; init; }

    /// <summary>The split, trial or chunk it runs.</summary>
    public required int Part { get; init; }

    /// <summary>SLURM's state (PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, PREEMPTED, OUT_OF_MEMORY...), or UNKNOWN when SLURM no longer knows the task.</summary>
    public required string State { get; init; }
    public required string? Node { get; init; }

    /// <summary>The task's exit code once it has ended ("0:0", SLURM's code:signal).</summary>
    public required string? ExitCode { get; init; }

    /// <summary>Read from the output: e.g. "epoch 3 of 20", "complete".</summary>
    public required string Progress { get; init; }

    /// <summary>From 0 to 1, as <see cref="Progress"/> says.</summary>
    public required double Fraction { get; init; }
    public required string LogPath { get; init; }

    /// <summary>The output the job writes, so that a task piped on finds its job (Stop-ClinicaDLJob, Wait-ClinicaDLJob).</summary>
    public required string OutputPath { get; init; }

    /// <summary>Whether the task has ended, well or not.</summary>
    public bool Ended => TaskStates.HasEnded(State);
}
