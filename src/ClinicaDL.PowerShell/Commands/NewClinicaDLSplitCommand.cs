using System.Management.Automation;
using ClinicaDL.Core.Splits;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Splits participants (never sessions) into train and a held-out subset (hold-out, ClinicaDL <c>split</c>) or
/// into k folds (ClinicaDL <c>kfold</c>), seeded, writing ClinicaDL's folders and files; emits one
/// <see cref="SplitSet"/> per split. A piped split (a <see cref="SplitSet"/>), file or path string is split from
/// its file (a split's train.tsv), so <c>$split | New-ClinicaDLSplit -KFold 5</c> folds the training participants.
/// </summary>
[Cmdlet(VerbsCommon.New, "ClinicaDLSplit", DefaultParameterSetName = RowsSet, SupportsShouldProcess = true)]
[OutputType(typeof(SplitSet))]
public sealed class NewClinicaDLSplitCommand : ClinicaDLCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string RowsSet = "Rows";

    private readonly List<PSObject> _rows = [];

    /// <summary>Whether a piped split, file or path was split: then no piped row is not an empty pipeline.</summary>
    private bool _splitPipedPath;

    /// <summary>The labels TSV (labels.tsv, or a split's train.tsv for k-fold), or a split folder (its train.tsv).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("TrainPath")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>
    /// Label rows (from Get-ClinicaDLLabel or Import-Csv -Delimiter "`t"). Splits, files and strings that come
    /// this way are taken as paths: this parameter takes every piped object by value, before any path parameter
    /// could bind one by property name.
    /// </summary>
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
        switch (ParameterSetName)
        {
            case PathSet:
            case LiteralPathSet:
                var literal = ParameterSetName == LiteralPathSet;
                foreach (var file in ResolveExisting(literal ? LiteralPath : Path, literal, p => File.Exists(p) || Directory.Exists(p)))
                {
                    SplitFile(file, file);
                }
                break;
            case RowsSet when InputObject?.BaseObject is SplitSet split:
                SplitFile(split.TrainPath, split);
                break;
            case RowsSet when InputObject?.BaseObject is FileSystemInfo item:
                SplitFile(item.FullName, item);
                break;
            case RowsSet when InputObject?.BaseObject is string text:
                SplitFile(ProviderPath(text), text);
                break;
            case RowsSet when InputObject is not null:
                _rows.Add(InputObject);
                break;
        }
    }

    /// <summary>Splits a labels file, or a split folder's train.tsv; the new folder goes beside the file unless -OutputPath says otherwise.</summary>
    private void SplitFile(string path, object target)
    {
        _splitPipedPath = true;
        var file = Directory.Exists(path) ? System.IO.Path.Combine(path, "train.tsv") : path;
        Split(() => TsvTable.Read(file), OutputPath ?? System.IO.Path.GetDirectoryName(file)!, target);
    }

    protected override void End()
    {
        if (ParameterSetName != RowsSet || (_rows.Count == 0 && _splitPipedPath))
        {
            return;
        }
        if (OutputPath is null)
        {
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException("Piped label rows need -OutputPath: the folder in which to create the split."),
                ErrorIds.InvalidInput, ErrorCategory.InvalidArgument, null));
        }
        Split(() => TableObjects.FromObjects(_rows, "piped label rows"), OutputPath!, null);
    }

    private void Split(Func<TsvTable> labels, string parent, object? source)
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
            ThrowTerminatingError(ToErrorRecord(error, source));
        }
    }
}
