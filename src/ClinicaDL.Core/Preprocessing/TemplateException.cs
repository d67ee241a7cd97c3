namespace ClinicaDL.Core.Preprocessing;

/// <summary>A template the pipeline cannot use, or one that differs from the template earlier outputs were made with.</summary>
public sealed class TemplateException(string path, string reason) : Exception($"The template {path} cannot be used: {reason}.")
{
    public string Path { get; } = path;
}
