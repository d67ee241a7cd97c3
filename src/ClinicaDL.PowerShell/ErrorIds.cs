namespace ClinicaDL.PowerShell;

/// <summary>
/// The stable ErrorIds of the module's ErrorRecords, listed with their remedies in about_ClinicaDL. Which engine
/// failure gets which id is decided in one place, <see cref="ErrorMapping"/>.
/// </summary>
internal static class ErrorIds
{
    public const string PathNotFound = nameof(PathNotFound);
    public const string InvalidNiftiFile = nameof(InvalidNiftiFile);
    public const string InvalidTensorFile = nameof(InvalidTensorFile);
    public const string FileReadFailed = nameof(FileReadFailed);
    public const string DiskFull = nameof(DiskFull);
    public const string AccessDenied = nameof(AccessDenied);
    public const string TorchUnavailable = nameof(TorchUnavailable);
    public const string RuntimeMissing = nameof(RuntimeMissing);
    public const string RuntimePackageNotFound = nameof(RuntimePackageNotFound);
    public const string TorchOperationFailed = nameof(TorchOperationFailed);
    public const string InvalidTable = nameof(InvalidTable);
    public const string InvalidSplit = nameof(InvalidSplit);
    public const string InvalidCaps = nameof(InvalidCaps);
    public const string InvalidInput = nameof(InvalidInput);
    public const string DataLeakage = nameof(DataLeakage);
    public const string LeakageAuditFailed = nameof(LeakageAuditFailed);
    public const string InvalidInterpretation = nameof(InvalidInterpretation);
    public const string InvalidMaps = nameof(InvalidMaps);
    public const string MapsNotFound = nameof(MapsNotFound);
    public const string InvalidDataGroup = nameof(InvalidDataGroup);
    public const string OutputExists = nameof(OutputExists);
    public const string ForeignContent = nameof(ForeignContent);
    public const string OutputInUse = nameof(OutputInUse);
    public const string SchedulerFailed = nameof(SchedulerFailed);
    public const string JobNotFound = nameof(JobNotFound);
    public const string JobTaskFailed = nameof(JobTaskFailed);
    public const string JobWaitTimeout = nameof(JobWaitTimeout);
    public const string TrainingFailed = nameof(TrainingFailed);
    public const string UnexpectedError = nameof(UnexpectedError);
    public const string MapsItemNotFound = nameof(MapsItemNotFound);
    public const string NetworkNotFound = nameof(NetworkNotFound);
    public const string InvalidNetworkFile = nameof(InvalidNetworkFile);
    public const string DatasetItemNotFound = nameof(DatasetItemNotFound);
    public const string NothingSelected = nameof(NothingSelected);
    public const string NotBidsDataset = nameof(NotBidsDataset);
    public const string ModelNotExportable = nameof(ModelNotExportable);

    // Start-ClinicaDLRandomSearch, Get-ClinicaDLRandomSearch.
    public const string InvalidSearchSpace = nameof(InvalidSearchSpace);
    public const string SearchStateMismatch = nameof(SearchStateMismatch);

    // ConvertTo-BidsDataset (the names of ClinicaDL.Core.Conversion.ConversionFailure).
    public const string Dcm2niixNotFound = nameof(Dcm2niixNotFound);
    public const string Dcm2niixFailed = nameof(Dcm2niixFailed);
    public const string CorruptDicomFile = nameof(CorruptDicomFile);
    public const string NoDicomFound = nameof(NoDicomFound);
    public const string InvalidConversionRules = nameof(InvalidConversionRules);
    public const string OutputInsideInput = nameof(OutputInsideInput);
    public const string ParticipantNotMapped = nameof(ParticipantNotMapped);

    // Invoke-ClinicaDLPreprocessing.
    public const string UnusableImage = nameof(UnusableImage);
    public const string PreprocessingFailed = nameof(PreprocessingFailed);
    public const string InvalidTemplate = nameof(InvalidTemplate);
    public const string T1wNotFound = nameof(T1wNotFound);
}
