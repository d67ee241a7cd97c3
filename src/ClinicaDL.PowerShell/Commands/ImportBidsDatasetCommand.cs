using System.Management.Automation;
using ClinicaDL.Core.Datasets;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Lists a BIDS dataset: one <see cref="BidsSession"/> per participant and session, with its images and every
/// participants.tsv / sessions.tsv column as a property. Dataset problems are non-terminating errors, and so
/// are a folder without subjects (NotBidsDataset) and a -Modality no image has (DatasetItemNotFound).
/// </summary>
[Cmdlet(VerbsData.Import, "BidsDataset", DefaultParameterSetName = PathSet)]
[OutputType(typeof(BidsSession))]
public sealed class ImportBidsDatasetCommand : PathInputCmdlet
{
    /// <summary>Keep only sessions with an image of these suffixes (T1w, FLAIR, pet...), and only those images.</summary>
    [Parameter]
    public string[] Modality { get; set; } = [];

    protected override void Process()
    {
        foreach (var folder in InputPaths(Directory.Exists))
        {
            BidsScan scan;
            try
            {
                scan = BidsDataset.Scan(folder, Modality);
            }
            catch (Exception error) when (IsInputFailure(error))
            {
                WriteError(ToErrorRecord(error, folder));
                continue;
            }
            foreach (var issue in scan.Issues)
            {
                WriteDatasetIssue(issue);
            }
            foreach (var missing in scan.MissingModalities)
            {
                WriteError(SelectionErrors.NotFound(missing));
            }
            foreach (var session in scan.Sessions)
            {
                WriteObject(WithAttributes(session));
            }
        }
    }

    /// <summary>The session with each demographic column as a property, so Where-Object and Group-Object can use them.</summary>
    private PSObject WithAttributes(BidsSession session)
    {
        var result = PSObject.AsPSObject(session);
        foreach (var (name, value) in session.Attributes)
        {
            if (result.Properties[name] is null)
            {
                result.Properties.Add(new PSNoteProperty(name, value));
            }
            else
            {
                WriteVerbose($"Column '{name}' of {session.ParticipantId} is kept in Attributes only: it would hide a property of the same name.");
            }
        }
        return result;
    }
}
