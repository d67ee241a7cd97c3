namespace ClinicaDL.Core.IO;

/// <summary>Recognises the I/O failures a user acts on differently from a plain read or write error.</summary>
public static class StorageFailure
{
    private const int LinuxNoSpace = 28;
    private const int LinuxQuotaExceeded = 122;
    private const int WindowsDiskFull = 112;
    private const int WindowsHandleDiskFull = 39;

    /// <summary>Whether the device (or the user's quota) is full: .NET reports errno on Unix and the Win32 code in the low word on Windows.</summary>
    public static bool IsDiskFull(IOException error) => OperatingSystem.IsWindows()
        ? (error.HResult & 0xFFFF) is WindowsDiskFull or WindowsHandleDiskFull
        : error.HResult is LinuxNoSpace or LinuxQuotaExceeded || error.Message.Contains("No space left on device", StringComparison.Ordinal);
}
