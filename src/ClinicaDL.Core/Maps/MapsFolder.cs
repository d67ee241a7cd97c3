using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Training;

namespace ClinicaDL.Core.Maps;

/// <summary>
/// An existing MAPS, opened once: maps.json checked and parsed, the training configuration built from it once, and
/// what every reader asks of a MAPS (its splits, data groups, best models, input size, the participants it saw,
/// which splits are unfinished) answered here rather than by each. <see cref="MapsSkeleton"/> creates one.
/// </summary>
public sealed class MapsFolder
{
    private readonly Lazy<TrainingConfig> _configuration;

    private MapsFolder(MapsLayout layout, JsonObject description)
    {
        Layout = layout;
        Description = description;
        _configuration = new Lazy<TrainingConfig>(() => Read(() => TrainingConfig.FromMapsDescription(Description, Layout.MapsJson)));
    }

    public MapsLayout Layout { get; }
    public string Root => Layout.Root;

    /// <summary>maps.json as written (read it through the typed members where one exists).</summary>
    public JsonObject Description { get; }

    /// <summary>The configuration the MAPS was trained with (a new object per opened MAPS: a run may complete it).</summary>
    public TrainingConfig Configuration => _configuration.Value;

    /// <summary>Whether <paramref name="path"/> holds a MAPS (its maps.json), made whole: the skeleton is renamed into place at once.</summary>
    public static bool Exists(string path) => File.Exists(new MapsLayout(path).MapsJson);

    /// <summary>Opens the MAPS at <paramref name="path"/>: <see cref="MapsNotFoundException"/> when there is none, <see cref="MapsException"/> when its maps.json cannot be read.</summary>
    public static MapsFolder Open(string path)
    {
        var layout = new MapsLayout(path);
        if (!File.Exists(layout.MapsJson))
        {
            throw new MapsNotFoundException(layout.Root);
        }
        var description = Read(() => JsonNode.Parse(File.ReadAllText(layout.MapsJson)) as JsonObject ?? throw new FormatException("it holds no JSON object."), layout);
        return new MapsFolder(layout, description);
    }

    /// <summary>
    /// Checks that a new MAPS may be created at <paramref name="path"/>: absent or empty, or with
    /// <paramref name="overwrite"/> a MAPS holding nothing but a MAPS (<see cref="MapsExistsException"/> otherwise).
    /// </summary>
    public static void CheckCreatable(string path, bool overwrite)
    {
        try
        {
            OwnedOutput.CheckReplaceable(path, OutputKind.Maps, overwrite);
        }
        catch (OutputExistsException exists) when (exists is not MapsExistsException)
        {
            throw new MapsExistsException(exists.Path, exists.Message);
        }
    }

    /// <summary>The splits maps.json lists (those the training was asked for).</summary>
    public IReadOnlyList<int> TrainedSplits => Read(() => Description["split"]?.AsArray().Select(s => Item(s).GetValue<int>()).ToList() ?? []);

    /// <summary>The split folders present.</summary>
    public IReadOnlyList<int> Splits => Layout.Splits();

    public SplitLayout Split(int split) => Layout.Split(split);

    /// <summary>The selection metrics of maps.json, in its order.</summary>
    public IReadOnlyList<string> SelectionMetrics => Read(() => Description["selection_metrics"]?.AsArray().Select(m => Item(m).GetValue<string>()).ToList() ?? []);

    /// <summary>The data groups defined in groups/ (train and validation included), by name.</summary>
    public IReadOnlyList<string> DataGroups => Layout.DataGroups();

    /// <summary>The shape of one sample the networks were trained on (channels first); null for a MAPS that does not say.</summary>
    public IReadOnlyList<long>? InputSize => Read(() => Description["input_size"]?.AsArray().Select(n => Item(n).GetValue<long>()).ToList());

    /// <summary>Refuses samples of another shape than the networks were trained on.</summary>
    public void CheckInputSize(IReadOnlyList<long> sampleShape)
    {
        if (InputSize is { } trained && !trained.SequenceEqual(sampleShape))
        {
            throw new ModelInputMismatchException(trained, sampleShape);
        }
    }

    /// <summary>groups/train+validation.tsv, read: every session seen in training or pre-training; null when absent.</summary>
    public TsvTable? ReadSeenSessions() => File.Exists(Layout.TrainValidation) ? TsvTable.Read(Layout.TrainValidation) : null;

    /// <summary>
    /// Whether a data group was evaluated with the leakage override (its maps.json has leakage_override). The train
    /// and validation groups, written by training, have no maps.json and never do.
    /// </summary>
    public bool HasLeakageOverride(string group)
    {
        var path = Layout.GroupDescription(group);
        return File.Exists(path) && Read(() => JsonNode.Parse(File.ReadAllText(path))?["leakage_override"] is not null);
    }

    /// <summary>
    /// The splits of maps.json not trained to their end (stopped, failed or still running): a split is finished
    /// when its tmp/ (checkpoints) is gone and each selection metric has its best-&lt;metric&gt;/ folder.
    /// </summary>
    public IReadOnlyList<int> FindIncompleteSplits()
    {
        var metrics = SelectionMetrics;
        return TrainedSplits.Where(s => !Directory.Exists(Split(s).Root) || Directory.Exists(Split(s).Temporary) || metrics.Any(m => !Directory.Exists(Split(s).Best(m))))
            .Order().ToList();
    }

    /// <summary>
    /// What a MAPS created by training always has; one lacking it was not made whole and is not resumed
    /// (<see cref="MapsException"/> naming what is missing).
    /// </summary>
    public void CheckResumable()
    {
        var splits = Configuration.Split;
        var missing = new List<string> { Layout.Environment, Layout.TrainValidation }
            .Concat(splits.SelectMany(s => new[] { Path.Combine(Layout.GroupSplit("train", s), "data.tsv"), Path.Combine(Layout.GroupSplit("validation", s), "data.tsv") }))
            .Where(p => !File.Exists(p)).Select(p => Path.GetRelativePath(Root, p)).ToList();
        if (splits.Count == 0)
        {
            missing.Add("maps.json's split list");
        }
        if (missing.Count > 0)
        {
            throw new MapsException($"'{Root}' is an incomplete MAPS (it lacks {string.Join(", ", missing)}): its creation did not finish, so there is nothing to resume. Start the training again (Start-ClinicaDLTraining -Overwrite replaces it).");
        }
    }

    /// <summary>
    /// A transfer-learning source: a MAPS whose best models of <paramref name="metric"/> exist and whose seen
    /// participants are listed (ArgumentException naming the configuration key otherwise).
    /// </summary>
    public static MapsFolder OpenTransferSource(string path, string metric)
    {
        MapsFolder source;
        try
        {
            source = Open(path);
        }
        catch (MapsNotFoundException missing)
        {
            throw new ArgumentException($"transfer_path: {missing.Message}", "transfer_path");
        }
        if (!File.Exists(source.Layout.TrainValidation))
        {
            throw new ArgumentException($"transfer_path: '{source.Root}' has no groups/train+validation.tsv, so the participants it saw cannot be carried into this MAPS; a source without that list is refused.", "transfer_path");
        }
        if (!source.Splits.Any(s => Directory.Exists(source.Split(s).Best(metric))))
        {
            throw new ArgumentException($"transfer_selection_metric: '{source.Root}' has no best-{metric} model in any split.", "transfer_selection_metric");
        }
        return source;
    }

    private T Read<T>(Func<T> read) => Read(read, Layout);

    /// <summary>A maps.json (or a data group's) this module cannot read is a damaged MAPS, named as such.</summary>
    private static T Read<T>(Func<T> read, MapsLayout layout)
    {
        try
        {
            return read();
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new MapsException($"'{layout.MapsJson}' (or a data group's maps.json) is not a MAPS description this module can read: {error.Message}", error);
        }
    }

    private static JsonNode Item(JsonNode? item) => item ?? throw new FormatException("a list holds null.");
}
