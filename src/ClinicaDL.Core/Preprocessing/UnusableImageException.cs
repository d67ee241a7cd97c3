namespace ClinicaDL.Core.Preprocessing;

/// <summary>A raw image the t1-linear pipeline cannot take (not one 3D volume, too small), naming the file.</summary>
public sealed class UnusableImageException(string path, string reason) : Exception($"{path} cannot be preprocessed: {reason}.")
{
    public string Path { get; } = path;
}
