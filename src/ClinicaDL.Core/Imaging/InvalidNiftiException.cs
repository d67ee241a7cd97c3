namespace ClinicaDL.Core.Imaging;

/// <summary>A file that is not a readable NIfTI/ANALYZE image; the message names the file and the defect.</summary>
public sealed class InvalidNiftiException : Exception
{
    public InvalidNiftiException(string path, string defect, Exception? inner = null)
        : base($"'{path}' is not a valid NIfTI image: {defect}", inner)
    {
        FilePath = path;
        Defect = defect;
    }

    /// <summary>The file that was rejected.</summary>
    public string FilePath { get; }

    /// <summary>What exactly is wrong with it, without the file name.</summary>
    public string Defect { get; }
}
