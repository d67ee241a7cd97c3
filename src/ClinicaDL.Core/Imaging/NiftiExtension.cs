namespace ClinicaDL.Core.Imaging;

/// <summary>One header extension (NIfTI-1 section "extensions"): its code and its raw content.</summary>
public sealed class NiftiExtension
{
    internal NiftiExtension(int code, int esize, byte[] content)
    {
        Code = code;
        Esize = esize;
        Content = content;
    }

    /// <summary>The extension code (e.g. 4 AFNI, 6 comment, 32 CIFTI).</summary>
    public int Code { get; }

    /// <summary>The stored size of the extension including its 8-byte preamble.</summary>
    public int Esize { get; }

    /// <summary>The extension payload, <c>Esize - 8</c> bytes.</summary>
    public byte[] Content { get; }
}
