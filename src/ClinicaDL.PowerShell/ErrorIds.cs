namespace ClinicaDL.PowerShell;

/// <summary>The stable ErrorIds of the module's ErrorRecords (listed, with remedies, in about_ClinicaDL).</summary>
internal static class ErrorIds
{
    public const string PathNotFound = nameof(PathNotFound);
    public const string InvalidNiftiFile = nameof(InvalidNiftiFile);
    public const string FileReadFailed = nameof(FileReadFailed);
    public const string TorchUnavailable = nameof(TorchUnavailable);
    public const string InvalidTable = nameof(InvalidTable);
    public const string InvalidSplit = nameof(InvalidSplit);
    public const string InvalidCaps = nameof(InvalidCaps);
    public const string InvalidInput = nameof(InvalidInput);
    public const string DataLeakage = nameof(DataLeakage);
    public const string InvalidInterpretation = nameof(InvalidInterpretation);
    public const string InvalidMaps = nameof(InvalidMaps);
    public const string MapsItemNotFound = nameof(MapsItemNotFound);
    public const string NetworkNotFound = nameof(NetworkNotFound);
    public const string DatasetItemNotFound = nameof(DatasetItemNotFound);
    public const string NothingSelected = nameof(NothingSelected);
    public const string NotBidsDataset = nameof(NotBidsDataset);
}
