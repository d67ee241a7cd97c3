namespace ClinicaDL.Core.Maps;

/// <summary>An evaluation refused because it would use participants seen in training or pre-training.</summary>
public sealed class DataLeakageException(string message, IReadOnlyList<string> participants) : Exception(message)
{
    public IReadOnlyList<string> Participants { get; } = participants;
}
