namespace ClinicaDL.Core.Preprocessing;

/// <summary>A participant or session asked for has no raw T1w image to preprocess (or no session folder, which a CAPS needs).</summary>
public sealed class T1wNotFoundException(string target, string message) : Exception(message)
{
    public string Target { get; } = target;
}
