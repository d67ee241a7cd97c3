namespace ClinicaDL.Core.Datasets;

/// <summary>The kinds of dataset trouble that do not stop a scan; the names are the cmdlets' ErrorIds.</summary>
public enum DatasetIssueKind
{
    MissingDatasetDescription,
    SubjectNotInParticipantsTsv,
    ParticipantWithoutFolder,
    EmptyImageFile,

    /// <summary>A subject folder that could not be read (permissions, I/O, an invalid sessions.tsv); its sessions are left out.</summary>
    UnreadableSubject,

    /// <summary>A session folder that is (through a symbolic link) a folder already listed; it is left out.</summary>
    DuplicateFolder,
}

/// <summary>Something wrong with a dataset that a scan reports and goes past.</summary>
public sealed record DatasetIssue(DatasetIssueKind Kind, string Message, IReadOnlyList<string> Paths);
