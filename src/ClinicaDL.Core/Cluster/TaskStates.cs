namespace ClinicaDL.Core.Cluster;

/// <summary>What SLURM's task states mean for a waiting caller.</summary>
public static class TaskStates
{
    private static readonly HashSet<string> Active = ["PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESIZING", "SIGNALING", "STAGE_OUT", "RESV_DEL_HOLD"];

    public static bool HasEnded(string state) => !Active.Contains(state);

    public static bool Succeeded(string state) => state == "COMPLETED";
}
