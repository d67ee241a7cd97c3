namespace ClinicaDL.Core.Tables;

/// <summary>A TSV file whose content cannot be used; the message names the file, the row and what was expected.</summary>
public sealed class InvalidTableException(string message, string? path = null, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The file at fault, when there is one.</summary>
    public string? FilePath { get; } = path;
}
