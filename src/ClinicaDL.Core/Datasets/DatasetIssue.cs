namespace ClinicaDL.Core.Datasets;

/// <summary>The kinds of dataset trouble that do not stop a scan; the names are the cmdlets' ErrorIds.</summary>
public enum DatasetIssueKind
{
    MissingDatasetDescription,
    SubjectNotInParticipantsTsv,
    ParticipantWithoutFolder,
    EmptyImageFile,
}

/// <summary>Something wrong with a dataset that a scan reports and goes past.</summary>
public sealed record DatasetIssue(DatasetIssueKind Kind, string Message, IReadOnlyList<string> Paths);
