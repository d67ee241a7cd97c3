namespace ClinicaDL.Core.Cluster;

/// <summary>The scheduler refused or failed a request (sbatch, scancel), or is not there.</summary>
public sealed class ClusterException(string message) : Exception(message);
