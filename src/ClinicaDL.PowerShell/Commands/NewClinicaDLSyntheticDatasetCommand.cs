using System.Diagnostics;
using System.Management.Automation;
using ClinicaDL.Core.Generation;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Generates a synthetic data set: BIDS + CAPS (t1-linear names) + labels.tsv + synthetic.json (with -Raw also
/// transforms.tsv and template/); emits one <see cref="SyntheticSession"/> per session.
/// </summary>
[Cmdlet(VerbsCommon.New, "ClinicaDLSyntheticDataset", SupportsShouldProcess = true)]
[OutputType(typeof(SyntheticSession))]
public sealed class NewClinicaDLSyntheticDatasetCommand : ClinicaDLCmdlet
{

    /// <summary>Phantom (no input), Trivial and Random (from -CapsPath), SheppLogan (no input).</summary>
    [Parameter]
    [ValidateSet("Phantom", "Trivial", "Random", "SheppLogan")]
    public string Kind { get; set; } = "Phantom";

    /// <summary>Trivial, Random: the CAPS whose t1-linear images are used.</summary>
    [Parameter]
    [Alias("CapsDirectory")]
    public string? CapsPath { get; set; }

    /// <summary>Trivial: intensity lost in the atrophied hemisphere, in percent.</summary>
    [Parameter]
    [ValidateRange(0.0, 100.0)]
    public double AtrophyPercent { get; set; } = 60;

    /// <summary>Random: mean and standard deviation of the added Gaussian noise.</summary>
    [Parameter]
    public double NoiseMean { get; set; }

    [Parameter]
    [ValidateRange(0.0, double.MaxValue)]
    public double NoiseStd { get; set; } = 0.5;

    /// <summary>SheppLogan: side of the phantom in pixels.</summary>
    [Parameter]
    [ValidateRange(16, 512)]
    public int ImageSize { get; set; } = 128;

    /// <summary>SheppLogan: probabilities of subtypes 0, 1, 2 for CN and for AD.</summary>
    [Parameter]
    public double[] CnSubtypeDistribution { get; set; } = [1.0, 0.0, 0.0];

    [Parameter]
    public double[] AdSubtypeDistribution { get; set; } = [0.05, 0.85, 0.10];

    [Parameter]
    public SwitchParameter Smoothing { get; set; }

    /// <summary>SheppLogan: ellipsoids in a cube instead of 2D slices.</summary>
    [Parameter]
    public SwitchParameter ThreeDimensional { get; set; }

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string OutputPath { get; set; } = "";

    [Parameter]
    [ValidateRange(1, 100000)]
    public int ParticipantCount { get; set; } = 60;

    [Parameter]
    [ValidateRange(1, 100)]
    public int SessionCount { get; set; } = 2;

    [Parameter]
    [ValidateRange(1, 120)]
    public int SessionIntervalMonths { get; set; } = 12;

    [Parameter]
    [ValidateSet("1", "2", "3")]
    public int VoxelSize { get; set; } = 2;

    [Parameter]
    [ValidateSet("AD", "CN", "MCI")]
    [Alias("Diagnoses")]
    public string[] Diagnosis { get; set; } = ["AD", "CN"];

    [Parameter]
    [ValidateRange(0.0, 10.0)]
    public double AtrophyStrength { get; set; } = 1.0;

    [Parameter]
    public int Seed { get; set; }

    /// <summary>Phantom: BIDS images in scanner space with the true transforms and the template, the CAPS as without it.</summary>
    [Parameter]
    public SwitchParameter Raw { get; set; }

    /// <summary>Replace an earlier synthetic data set of this module at -OutputPath (never any other folder).</summary>
    [Parameter]
    public SwitchParameter Overwrite { get; set; }

    /// <summary>Replace without asking (as -Confirm:$false); never widens what is replaced.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void End()
    {
        var output = ProviderPath(OutputPath);
        if (Raw && Kind != "Phantom")
        {
            ThrowTerminatingError(ToErrorRecord(new SyntheticDataException($"-Raw makes raw scans of phantoms: it needs -Kind Phantom, not {Kind}."), Kind));
        }
        var raw = Raw ? " with raw scanner-space BIDS images" : "";
        if (!ShouldProcess(output, $"Generate {ParticipantCount} participants x {SessionCount} sessions of {VoxelSize} mm phantoms{raw}")
            || (Overwrite && !ConfirmReplace(output, "synthetic data set", Force)))
        {
            return;
        }
        if (Kind != "Phantom")
        {
            GenerateDerived(output);
            return;
        }
        var options = new SyntheticOptions
        {
            OutputPath = output,
            ParticipantCount = ParticipantCount,
            SessionCount = SessionCount,
            SessionIntervalMonths = SessionIntervalMonths,
            VoxelSize = VoxelSize,
            Diagnoses = Diagnosis,
            AtrophyStrength = AtrophyStrength,
            Seed = Seed,
            Raw = Raw,
        };
        var record = new ProgressRecord(1, "New-ClinicaDLSyntheticDataset", "Drawing phantoms");
        var watch = Stopwatch.StartNew();
        try
        {
            var sessions = BackgroundWork.Run<IReadOnlyList<SyntheticSession>, ProgressCount>(this,
                (progress, _) => SyntheticDatasetGenerator.Generate(options, Overwrite, new CountProgress(progress), StopToken),
                count => ShowProgress(count, record, watch));
            record.RecordType = ProgressRecordType.Completed;
            WriteProgress(record);
            WriteObject(sessions, enumerateCollection: true);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: the staging folder is gone and the output folder untouched.
        }
    }

    private void GenerateDerived(string output)
    {
        var options = new DerivedKindOptions
        {
            OutputPath = output,
            CapsPath = CapsPath is null ? null : ProviderPath(CapsPath),
            ParticipantCount = MyInvocation.BoundParameters.ContainsKey(nameof(ParticipantCount)) ? ParticipantCount : 300,
            AtrophyPercent = AtrophyPercent,
            NoiseMean = NoiseMean,
            NoiseStd = NoiseStd,
            ImageSize = ImageSize,
            CnSubtypes = CnSubtypeDistribution,
            AdSubtypes = AdSubtypeDistribution,
            Smoothing = Smoothing,
            ThreeDimensional = ThreeDimensional,
            Seed = Seed,
        };
        try
        {
            var sessions = Kind switch
            {
                "Trivial" => DerivedDatasetGenerator.Trivial(options, Overwrite),
                "Random" => DerivedDatasetGenerator.RandomNoise(options, Overwrite),
                _ => DerivedDatasetGenerator.SheppLogan(options, Overwrite),
            };
            WriteObject(sessions, enumerateCollection: true);
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            ThrowTerminatingError(ToErrorRecord(error, CapsPath ?? output));
        }
    }

    private void ShowProgress(ProgressCount count, ProgressRecord record, Stopwatch watch)
    {
        record.PercentComplete = 100 * count.Done / count.Total;
        record.StatusDescription = $"{count.Done} of {count.Total} images";
        record.SecondsRemaining = (int)(watch.Elapsed.TotalSeconds / count.Done * (count.Total - count.Done));
        WriteProgress(record);
    }

    /// <summary>The generator reports value tuples; progress reports must be reference types to be "latest".</summary>
    private sealed record ProgressCount(int Done, int Total);

    private sealed class CountProgress(IProgress<ProgressCount> inner) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => inner.Report(new ProgressCount(value.Done, value.Total));
    }
}
