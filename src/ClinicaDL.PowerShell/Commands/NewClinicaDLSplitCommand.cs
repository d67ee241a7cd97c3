using System.Management.Automation;
using ClinicaDL.Core.Splits;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Splits participants (never sessions) into train and a held-out subset (hold-out, ClinicaDL <c>split</c>) or
/// into k folds (ClinicaDL <c>kfold</c>), seeded, writing ClinicaDL's folders and files; emits one
/// <see cref="SplitSet"/> per split.
/// </summary>
[Cmdlet(VerbsCommon.New, "ClinicaDLSplit", DefaultParameterSetName = RowsSet, SupportsShouldProcess = true)]
[OutputType(typeof(SplitSet))]
public sealed class NewClinicaDLSplitCommand : ClinicaDLCmdlet
{
    private const string PathSet = "Path";
    private const string RowsSet = "Rows";

    private readonly List<PSObject> _rows = [];

    /// <summary>The labels TSV (labels.tsv, or a split's train.tsv for k-fold).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("TrainPath")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Label rows (from Get-ClinicaDLLabel or Import-Csv -Delimiter "`t").</summary>
    [Parameter(Mandatory = true, ParameterSetName = RowsSet, ValueFromPipeline = true)]
    public PSObject? InputObject { get; set; }

    /// <summary>Where the split folder is created; by default the folder of -Path.</summary>
    [Parameter]
    public string? OutputPath { get; set; }

    /// <summary>Hold-out size: at least 1 = participants, below 1 = fraction, 0 = no subset.</summary>
    [Parameter]
    [ValidateRange(0, double.MaxValue)]
    public double TestSize { get; set; } = 100;

    /// <summary>Make a stratified k-fold split instead of a hold-out.</summary>
    [Parameter]
    [ValidateRange(2, int.MaxValue)]
    public int KFold { get; set; }

    /// <summary>test or validation; by default test for a hold-out and validation for k-fold.</summary>
    [Parameter]
    [ValidateSet("test", "validation")]
    public string? SubsetName { get; set; }

    [Parameter]
    public string Stratification { get; set; } = "diagnosis";

    [Parameter]
    [ValidateRange(0.0, 1.0)]
    public double PAgeThreshold { get; set; } = 0.80;

    [Parameter]
    [ValidateRange(0.0, 1.0)]
    public double PSexThreshold { get; set; } = 0.80;

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MaxAttempts { get; set; } = 10000;

    [Parameter]
    public SwitchParameter IgnoreDemographics { get; set; }

    [Parameter]
    public SwitchParameter ValidLongitudinal { get; set; }

    [Parameter]
    public int Seed { get; set; }

    protected override void Process()
    {
        if (ParameterSetName == RowsSet)
        {
            if (InputObject is not null)
            {
                _rows.Add(InputObject);
            }
            return;
        }
        Split(() => TsvTable.Read(ProviderPath(Path)), OutputPath ?? System.IO.Path.GetDirectoryName(ProviderPath(Path))!);
    }

    protected override void End()
    {
        if (ParameterSetName != RowsSet)
        {
            return;
        }
        if (OutputPath is null)
        {
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException("Piped label rows need -OutputPath: the folder in which to create the split."),
                ErrorIds.InvalidInput, ErrorCategory.InvalidArgument, null));
        }
        Split(() => TableObjects.FromObjects(_rows, "piped label rows"), OutputPath!);
    }

    private void Split(Func<TsvTable> labels, string parent)
    {
        parent = ProviderPath(parent);
        var kfold = MyInvocation.BoundParameters.ContainsKey(nameof(KFold));
        try
        {
            var table = labels();
            var target = SplitWriter.NextFolder(parent, kfold ? $"{KFold}_fold" : "split");
            var write = ShouldProcess(target, kfold ? $"Create a {KFold}-fold split" : "Create a hold-out split");
            var sets = kfold
                ? SplitWriter.KFold(table, parent, new KFoldOptions
                {
                    Folds = KFold, SubsetName = SubsetName ?? "validation", Stratification = Stratification, ValidLongitudinal = ValidLongitudinal, Seed = Seed,
                }, write)
                : [SplitWriter.HoldOut(table, parent, new HoldOutOptions
                {
                    TestSize = TestSize, SubsetName = SubsetName ?? "test", Stratification = Stratification, PAgeThreshold = PAgeThreshold,
                    PSexThreshold = PSexThreshold, IgnoreDemographics = IgnoreDemographics, ValidLongitudinal = ValidLongitudinal, Seed = Seed, MaxAttempts = MaxAttempts,
                }, write)];
            if (write)
            {
                WriteObject(sets, enumerateCollection: true);
            }
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            ThrowTerminatingError(ToErrorRecord(error, ParameterSetName == PathSet ? Path : null));
        }
    }
}
