using System.Text.Json.Nodes;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Training;

namespace ClinicaDL.Core.Workflows;

/// <summary>
/// The target domain of a semi-supervised domain adaptation run, loaded and checked before anything is written:
/// each split's labelled train and validation sessions (tsv_target_lab, read as tsv_path is), the unlabelled
/// sessions (tsv_target_unlab), their images from caps_target prepared as the target extraction says, and that
/// extraction itself (recorded in maps.json as ClinicaDL records preprocessing_dict_target).
/// </summary>
internal sealed class DomainAdaptationData : IDisposable
{
    private DomainAdaptationData(JsonObject? extraction, IReadOnlyDictionary<int, (DataGroup Train, DataGroup Validation)> labeled,
        DataGroup unlabeled, ImageTensors images)
    {
        (Extraction, Labeled, Unlabeled, Images) = (extraction, labeled, unlabeled, images);
    }

    /// <summary>The target extraction JSON; null when both domains are whole images found by the source's preprocessing.</summary>
    public JsonObject? Extraction { get; }

    /// <summary>Each split's labelled target train and validation sessions.</summary>
    public IReadOnlyDictionary<int, (DataGroup Train, DataGroup Validation)> Labeled { get; }

    public DataGroup Unlabeled { get; }

    public ImageTensors Images { get; }

    /// <summary>Every target session the training sees (labelled train and validation of every split, unlabelled).</summary>
    public IEnumerable<LabeledImage> Seen => Labeled.Values.SelectMany(g => g.Train.Images.Concat(g.Validation.Images)).Concat(Unlabeled.Images);

    /// <summary>
    /// Reads and checks the target data for the source's splits: the same split numbers, labels among the source's
    /// classes, enough sessions for one batch, and images of the source's sample shape.
    /// </summary>
    public static DomainAdaptationData Load(TrainingConfig config, IReadOnlyList<SplitDefinition> sourceSplits, long[] sourceShape, CancellationToken cancellation, Action<string> log)
    {
        var extraction = DomainAdaptationSettings.TargetExtraction(config);
        var target = DomainAdaptationSettings.TargetConfig(config, extraction);
        var splits = SplitDefinition.Read(config.TsvTargetLab, config);
        var missing = sourceSplits.Select(s => s.Index).Except(splits.Select(s => s.Index)).ToList();
        if (missing.Count > 0)
        {
            throw new ArgumentException($"tsv_target_lab: the split folder '{config.TsvTargetLab}' has no split {string.Join(", ", missing)}, which the source split folder '{config.TsvPath}' trains; " +
                "ClinicaDL reads both with the same splits.", "tsv_target_lab");
        }
        var caps = CapsImageIndex.Scan(config.CapsTarget, target.ImageQuery());
        var labeled = splits.Where(s => sourceSplits.Any(source => source.Index == s.Index))
            .ToDictionary(s => s.Index, s => (Train: DataGroup.FromTsv(s.Train, caps, target, true), Validation: DataGroup.FromTsv(s.Validation, caps, target, true)));
        foreach (var (split, (train, validation)) in labeled)
        {
            foreach (var group in new[] { train, validation })
            {
                if (group.Images.Count == 0)
                {
                    throw new ArgumentException($"tsv_target_lab: '{group.Source}' (split {split}) lists no session of the diagnoses {string.Join(", ", config.Diagnoses)}; domain adaptation needs labelled target sessions.", "tsv_target_lab");
                }
                var unknown = group.Images.Select(i => i.Label ?? "").Where(l => !config.LabelCode.ContainsKey(l)).Distinct().Order(StringComparer.Ordinal).ToList();
                if (unknown.Count > 0)
                {
                    throw new ArgumentException($"tsv_target_lab: '{group.Source}' has the {config.ResolvedLabel} value(s) {string.Join(", ", unknown)}, which are not classes of the source data " +
                        $"({string.Join(", ", config.LabelCode.Keys)}); both domains share one classifier's classes.", "tsv_target_lab");
                }
            }
        }
        var listed = TsvTable.Read(config.TsvTargetUnlab);
        listed.Require("participant_id", "session_id");
        // Only the sessions: an unlabelled TSV's diagnosis column, if any, neither filters nor labels them (as ClinicaDL reads it).
        var sessions = new TsvTable(["participant_id", "session_id"], listed.Rows.Select(r => new[] { r[listed.IndexOf("participant_id")], r[listed.IndexOf("session_id")] }), listed.Path);
        var unlabeled = DataGroup.FromTsv(sessions, caps, target, false);
        var shortest = labeled.Min(l => l.Value.Train.Images.Count);
        if (unlabeled.Images.Count < config.BatchSize)
        {
            throw new ArgumentException($"tsv_target_unlab: '{config.TsvTargetUnlab}' lists {unlabeled.Images.Count} session(s), fewer than one batch ({config.BatchSize}); " +
                "its loader drops the incomplete batch, as ClinicaDL's, so no step would be made.", "tsv_target_unlab");
        }
        var paths = labeled.Values.SelectMany(g => g.Train.Images.Concat(g.Validation.Images)).Concat(unlabeled.Images).Select(i => i.ImagePath).Distinct().ToList();
        log($"Target domain: {paths.Count} image(s) from '{config.CapsTarget}', {unlabeled.Images.Count} unlabelled, at least {shortest} labelled per split.");
        var images = new ImageTensors(paths, target, Math.Max(1, config.NProc), cancellation, log);
        if (!images.SampleShape.SequenceEqual(sourceShape))
        {
            images.Dispose();
            throw new ArgumentException($"caps_target, preprocessing_dict_target: the target images of '{config.CapsTarget}' are {string.Join("x", images.SampleShape)} once prepared, " +
                $"the source images {string.Join("x", sourceShape)}: one network takes both, so both domains need the same shape (the same extraction, crop and size reduction).", "preprocessing_dict_target");
        }
        return new DomainAdaptationData(extraction, labeled, unlabeled, images);
    }

    public void Dispose() => Images.Dispose();
}
