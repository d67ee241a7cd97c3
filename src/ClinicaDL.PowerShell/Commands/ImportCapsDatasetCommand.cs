using System.Management.Automation;
using ClinicaDL.Core.Datasets;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Lists the preprocessed images of a CAPS folder with ClinicaDL's file patterns; a query no image matches is
/// an error (DatasetItemNotFound) listing the kinds of image the CAPS has.
/// </summary>
[Cmdlet(VerbsData.Import, "CapsDataset", DefaultParameterSetName = PathSet)]
[OutputType(typeof(CapsImage))]
public sealed class ImportCapsDatasetCommand : PathInputCmdlet
{
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateSet("t1-linear", "t1-extensive", "pet-linear", "flair-linear", "custom")]
    public string Preprocessing { get; set; } = "t1-linear";

    [Parameter]
    public SwitchParameter UseUncroppedImage { get; set; }

    [Parameter]
    public string? Tracer { get; set; }

    [Parameter]
    public string? SuvrReferenceRegion { get; set; }

    [Parameter]
    public string? CustomSuffix { get; set; }

    protected override void Process()
    {
        var query = new CapsQuery
        {
            Preprocessing = Preprocessing,
            UseUncroppedImage = UseUncroppedImage,
            Tracer = Tracer,
            SuvrReferenceRegion = SuvrReferenceRegion,
            CustomSuffix = CustomSuffix,
        };
        foreach (var folder in InputPaths(Directory.Exists))
        {
            var notes = new List<string>();
            try
            {
                var images = CapsDataset.Find(folder, query, notes);
                if (images.Count == 0)
                {
                    WriteError(SelectionErrors.NotFound(CapsDataset.NoImage(folder, query), folder));
                }
                WriteObject(images, enumerateCollection: true);
            }
            catch (Exception error) when (IsInputFailure(error))
            {
                WriteError(ToErrorRecord(error, folder));
            }
            notes.ForEach(WriteWarning);
        }
    }
}
