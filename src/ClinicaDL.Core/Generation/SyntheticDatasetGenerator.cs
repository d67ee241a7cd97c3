using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Generation;

/// <summary>
/// Makes the built-in data set: procedural brain phantoms written as a BIDS dataset and the matching CAPS
/// (Clinica t1-linear names), with labels.tsv and synthetic.json. The same options and seed give the same bytes.
/// With <see cref="SyntheticOptions.Raw"/> the BIDS images are the phantoms as a scanner stores them (see
/// <see cref="NativeScan"/>), with the true transforms in transforms.tsv and the template to register them to;
/// the CAPS is unchanged: the answer preprocessing should give.
/// </summary>
public static class SyntheticDatasetGenerator
{
    private const string CapsSuffix = "_T1w_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz";
    private const string TransformsFile = "transforms.tsv";
    private const string TemplateFolder = "template";

    /// <summary>Mixed into a session's phantom seed to seed its raw scan (any constant other than 0 separates the streams).</summary>
    private const int RawScanStream = 0x52617753;

    // int16 in 0.1 steps, as scanners store T1w images: a quarter of the size of float32 once compressed.
    private static readonly NiftiWriteOptions TemplateSpaceImage = new()
    {
        DataType = NiftiDataType.Int16, SclSlope = 0.1, Descrip = "ClinicaDL synthetic phantom", QformCode = 4, SformCode = 4,
        Compression = CompressionLevel.Fastest,
    };

    /// <summary>Codes 1: the affine gives scanner coordinates, as a scanner's own file.</summary>
    private static readonly NiftiWriteOptions ScannerSpaceImage = new()
    {
        DataType = NiftiDataType.Int16, SclSlope = 0.1, Descrip = "ClinicaDL synthetic phantom, scanner space", QformCode = 1, SformCode = 1,
        Compression = CompressionLevel.Fastest,
    };
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static IReadOnlyList<SyntheticSession> Generate(SyntheticOptions options, bool overwrite, IProgress<(int Done, int Total)>? progress = null,
        CancellationToken cancellation = default)
    {
        Validate(options);
        var grid = new PhantomGrid(options.VoxelSize);
        var participants = SyntheticPlan.Participants(options);
        var sessions = participants.SelectMany(p => Enumerable.Range(0, options.SessionCount).Select(s => (Participant: p, Index: s))).ToList();
        using var folder = new StagedOutput(options.OutputPath, OutputKind.SyntheticDataset, overwrite);
        var bids = Path.Combine(folder.Staging, "bids");
        var caps = Path.Combine(folder.Staging, "caps");
        var results = new SyntheticSession[sessions.Count];
        var scans = new NativeScan[options.Raw ? sessions.Count : 0];
        var done = 0;
        Parallel.For(0, sessions.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Threads), CancellationToken = cancellation }, n =>
        {
            var (participant, index) = sessions[n];
            var sessionId = $"ses-M{index * options.SessionIntervalMonths:D3}";
            var years = index * options.SessionIntervalMonths / 12.0;
            var stage = Math.Min(1, participant.Stage + participant.Rate * years);
            var severity = options.AtrophyStrength * stage;
            var age = Math.Round(participant.BaselineAge + years, 1);
            var phantom = new BrainPhantom(participant.Anatomy, severity, age - 70);
            var phantomSeed = participant.Seed + index;
            var volume = phantom.Render(grid, phantomSeed);
            var anat = Path.Combine(bids, participant.Id, sessionId, "anat");
            var linear = Path.Combine(caps, "subjects", participant.Id, sessionId, "t1_linear");
            Directory.CreateDirectory(anat);
            Directory.CreateDirectory(linear);
            var bidsImage = Path.Combine(anat, $"{participant.Id}_{sessionId}_T1w.nii.gz");
            var capsImage = Path.Combine(linear, participant.Id + "_" + sessionId + CapsSuffix);
            if (options.Raw)
            {
                NiftiWriter.Write(capsImage, grid.Shape, volume, grid.Affine, TemplateSpaceImage);
                // Its own stream, so the scan's draws leave the phantom's noise (and the CAPS image) as without -Raw.
                var random = new Random(phantomSeed ^ RawScanStream);
                var scan = NativeScan.Draw(random, phantom, options.VoxelSize);
                NiftiWriter.Write(bidsImage, scan.Shape, scan.Render(phantom, random), scan.VoxelToNative, ScannerSpaceImage);
                File.WriteAllText(Path.ChangeExtension(Path.ChangeExtension(bidsImage, null), ".json"), Sidecar("synthetic T1w brain phantom in scanner space",
                    new JsonArray(scan.VoxelSize.Select(v => (JsonNode?)v).ToArray())));
                scans[n] = scan;
            }
            else
            {
                NiftiWriter.Write(bidsImage, grid.Shape, volume, grid.Affine, TemplateSpaceImage);
                File.WriteAllText(Path.ChangeExtension(Path.ChangeExtension(bidsImage, null), ".json"), Sidecar("synthetic T1w brain phantom", grid.VoxelSize));
                LinkOrCopy(bidsImage, capsImage);
            }
            results[n] = new SyntheticSession
            {
                ParticipantId = participant.Id,
                SessionId = sessionId,
                Diagnosis = SyntheticPlan.Diagnosis(participant, stage),
                Age = age,
                Sex = participant.Sex,
                AtrophySeverity = Math.Round(severity, 4),
                BidsPath = folder.Final(bidsImage),
                CapsPath = folder.Final(capsImage),
            };
            progress?.Report((Interlocked.Increment(ref done), sessions.Count));
        });
        WriteTables(bids, caps, folder.Staging, participants, results);
        PhantomMasks.Write(caps, grid);
        var templateAge = Math.Round(results.Average(s => s.Age), 1);
        if (options.Raw)
        {
            new TsvTable(["participant_id", "session_id", .. NativeScan.Columns], results.Select((s, n) => scans[n].Row(s.ParticipantId, s.SessionId)))
                .Write(Path.Combine(folder.Staging, TransformsFile));
            PhantomTemplate.Write(Path.Combine(folder.Staging, TemplateFolder), grid, templateAge - 70, options.Threads, cancellation);
        }
        File.WriteAllText(Path.Combine(folder.Staging, "synthetic.json"), Parameters(options, grid, templateAge));
        folder.Commit();
        return results;
    }

    /// <summary>
    /// The CAPS image is the BIDS image (the phantoms are drawn in template space): a relative symbolic link
    /// where the system allows one, so the data set is stored once and can be moved; a copy elsewhere.
    /// </summary>
    private static void LinkOrCopy(string source, string link)
    {
        try
        {
            File.CreateSymbolicLink(link, Path.GetRelativePath(Path.GetDirectoryName(link)!, source));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            File.Copy(source, link);
        }
    }

    private static void Validate(SyntheticOptions options)
    {
        if (options.ParticipantCount < 1 || options.SessionCount < 1)
        {
            throw new SyntheticDataException($"A data set needs at least one participant and one session; got {options.ParticipantCount} and {options.SessionCount}.");
        }
        var unknown = options.Diagnoses.Where(d => !SyntheticOptions.KnownDiagnoses.Contains(d)).ToList();
        if (unknown.Count > 0 || options.Diagnoses.Count == 0 || options.Diagnoses.Distinct().Count() != options.Diagnoses.Count)
        {
            throw new SyntheticDataException(
                $"Diagnoses must be distinct values among {string.Join(", ", SyntheticOptions.KnownDiagnoses)}; got {string.Join(", ", options.Diagnoses)}.");
        }
        if (options.ParticipantCount < options.Diagnoses.Count)
        {
            throw new SyntheticDataException($"{options.ParticipantCount} participant(s) cannot cover the {options.Diagnoses.Count} diagnoses {string.Join(", ", options.Diagnoses)}.");
        }
        if (options.AtrophyStrength < 0 || !double.IsFinite(options.AtrophyStrength))
        {
            throw new SyntheticDataException($"The atrophy strength must be 0 or more; got {options.AtrophyStrength}.");
        }
        if (options.VoxelSize is < 1 or > 3)
        {
            throw new SyntheticDataException($"The voxel size is 1, 2 or 3 mm; got {options.VoxelSize}.");
        }
        if (options.SessionIntervalMonths < 1)
        {
            throw new SyntheticDataException($"Sessions must be at least a month apart; got {options.SessionIntervalMonths}.");
        }
    }

    private static void WriteTables(string bids, string caps, string root, List<SyntheticParticipant> participants, SyntheticSession[] sessions)
    {
        File.WriteAllText(Path.Combine(bids, "dataset_description.json"), new JsonObject
        {
            ["Name"] = "ClinicaDL synthetic brain phantoms",
            ["BIDSVersion"] = "1.8.0",
            ["DatasetType"] = "raw",
            ["License"] = "CC0",
            ["GeneratedBy"] = new JsonArray(new JsonObject { ["Name"] = "ClinicaDL for PowerShell: New-ClinicaDLSyntheticDataset" }),
        }.ToJsonString(Indented) + "\n");
        File.WriteAllText(Path.Combine(caps, "dataset_description.json"), new JsonObject
        {
            ["Name"] = "ClinicaDL synthetic brain phantoms (t1-linear)",
            ["BIDSVersion"] = "1.8.0",
            ["DatasetType"] = "derivative",
        }.ToJsonString(Indented) + "\n");
        var invariant = CultureInfo.InvariantCulture;
        new TsvTable(["participant_id", "age", "sex", "diagnosis"],
                participants.Select(p => new string?[] { p.Id, p.BaselineAge.ToString("0.0", invariant), p.Sex, p.BaselineDiagnosis }))
            .Write(Path.Combine(bids, "participants.tsv"));
        foreach (var participant in sessions.GroupBy(s => s.ParticipantId))
        {
            new TsvTable(["session_id", "age", "diagnosis"], participant.Select(s => new string?[] { s.SessionId, s.Age.ToString("0.0", invariant), s.Diagnosis }))
                .Write(Path.Combine(bids, participant.Key, $"{participant.Key}_sessions.tsv"));
        }
        new TsvTable(["participant_id", "session_id", "age", "sex", "diagnosis"],
                sessions.OrderBy(s => s.ParticipantId, StringComparer.Ordinal).ThenBy(s => s.SessionId, StringComparer.Ordinal)
                    .Select(s => new string?[] { s.ParticipantId, s.SessionId, s.Age.ToString("0.0", invariant), s.Sex, s.Diagnosis }))
            .Write(Path.Combine(root, "labels.tsv"));
    }

    private static string Sidecar(string description, JsonNode voxelSize) => new JsonObject
    {
        ["Modality"] = "MR",
        ["MagneticFieldStrength"] = 3,
        ["SeriesDescription"] = description,
        ["VoxelSizeMillimetres"] = voxelSize,
    }.ToJsonString(Indented) + "\n";

    private static string Parameters(SyntheticOptions options, PhantomGrid grid, double templateAge)
    {
        var parameters = new JsonObject
        {
            ["kind"] = "Phantom",
            ["participant_count"] = options.ParticipantCount,
            ["session_count"] = options.SessionCount,
            ["session_interval_months"] = options.SessionIntervalMonths,
            ["voxel_size"] = options.VoxelSize,
            ["shape"] = new JsonArray(grid.Shape.Select(n => (JsonNode?)n).ToArray()),
            ["diagnoses"] = new JsonArray(options.Diagnoses.Select(d => (JsonNode?)d).ToArray()),
            ["atrophy_strength"] = options.AtrophyStrength,
            ["seed"] = options.Seed,
            ["preprocessing"] = "t1-linear",
            ["caps_suffix"] = CapsSuffix,
        };
        if (options.Raw)
        {
            parameters["raw"] = true;
            parameters["raw_ranges"] = new JsonObject
            {
                ["rotation_degrees"] = Range(-NativeScan.MaxRotationDegrees, NativeScan.MaxRotationDegrees),
                ["translation_mm"] = Range(-NativeScan.MaxTranslationMillimetres, NativeScan.MaxTranslationMillimetres),
                ["scale"] = Range(NativeScan.MinScale, NativeScan.MaxScale),
                ["voxel_size_factor"] = Range(NativeScan.MinVoxelFactor, NativeScan.MaxVoxelFactor),
                ["bias_amplitude"] = Range(NativeScan.MinBiasAmplitude, NativeScan.MaxBiasAmplitude),
                ["noise_level"] = Range(NativeScan.MinNoiseLevel, NativeScan.MaxNoiseLevel),
                ["field_of_view_margin_mm"] = NativeScan.MarginMillimetres,
            };
            parameters["transforms"] = TransformsFile;
            parameters["template"] = $"{TemplateFolder}/{PhantomTemplate.ImageName(grid.VoxelSize)}";
            parameters["template_mask"] = $"{TemplateFolder}/{PhantomTemplate.MaskName(grid.VoxelSize)}";
            parameters["template_age"] = templateAge;
        }
        return parameters.ToJsonString(Indented) + "\n";
    }

    private static JsonArray Range(double low, double high) => [low, high];
}
