namespace ClinicaDL.Core.Cluster;

/// <summary>A part of a job (a SLURM task, a local child process) ended without doing its work; the message gives its exit code and log.</summary>
public sealed class PartFailedException(string message) : Exception(message);
