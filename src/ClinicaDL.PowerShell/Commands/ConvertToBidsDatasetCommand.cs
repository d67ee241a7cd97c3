using System.Collections;
using System.Management.Automation;
using System.Text.Json.Nodes;
using ClinicaDL.Core.Conversion;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Converts DICOM series (through dcm2niix), NIfTI and ANALYZE files into a BIDS dataset, placed by dcm2bids-style
/// rules; one <see cref="ConvertedSeries"/> per image. The inputs come from -Path or the pipeline and are converted
/// together at the end, so run numbers are given over all of them.
/// </summary>
[Cmdlet(VerbsData.ConvertTo, "BidsDataset", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[OutputType(typeof(ConvertedSeries))]
public sealed class ConvertToBidsDatasetCommand : PathInputCmdlet
{
    private readonly List<string> _inputs = [];

    /// <summary>The BIDS dataset to make or extend.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string OutputPath { get; set; } = "";

    /// <summary>A JSON rule file (dcm2bids's format), or rules as hashtables.</summary>
    [Parameter(Mandatory = true, Position = 2)]
    [ValidateNotNull]
    public object[] Rules { get; set; } = [];

    /// <summary>The participant label of every input no -ParticipantMap row covers.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ParticipantId { get; set; }

    /// <summary>The session label of every input whose mapping row gives none.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SessionId { get; set; }

    /// <summary>A TSV file, or rows (hashtables, Import-Csv objects), of PatientID, StudyDate, participant_id, session_id.</summary>
    [Parameter]
    [ValidateNotNull]
    public object[]? ParticipantMap { get; set; }

    /// <summary>dcm2niix's path (the program or its folder) when it is not on PATH.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Dcm2niixPath { get; set; }

    /// <summary>The Name written in a new dataset_description.json (default: the folder's name).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? DatasetName { get; set; }

    /// <summary>Keep images no rule matched under sourcedata/unmatched/ (listed in .bidsignore).</summary>
    [Parameter]
    public SwitchParameter KeepUnmatched { get; set; }

    /// <summary>Replace BIDS files that exist already.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void Process() => _inputs.AddRange(InputPaths(p => File.Exists(p) || Directory.Exists(p)));

    protected override void End()
    {
        if (_inputs.Count == 0)
        {
            return;
        }
        var options = new ConversionOptions
        {
            OutputPath = ProviderPath(OutputPath),
            Rules = LoadRules(),
            Participants = LoadParticipants(),
            Dcm2NiixPath = Dcm2niixPath is null ? null : ProviderPath(Dcm2niixPath),
            Force = Force,
            KeepUnmatched = KeepUnmatched,
            DatasetName = DatasetName,
            ShouldWrite = (target, action) => ShouldProcess(target, action),
            Log = WriteVerbose,
            Progress = new Progress(this),
        };
        var report = BidsConverter.Convert(_inputs, options, StopToken);
        WriteProgress(new ProgressRecord(0, "ConvertTo-BidsDataset", "Done") { RecordType = ProgressRecordType.Completed });
        foreach (var error in report.Errors)
        {
            WriteError(ToErrorRecord(error, error.Path));
        }
        foreach (var item in report.Items)
        {
            if (report.ItemErrors.TryGetValue(item, out var failure))
            {
                WriteError(ToErrorRecord(failure, item.Source));
            }
            WriteObject(item);
        }
        var unplaced = report.Items.Where(i => i.Status is nameof(ConversionStatus.Unmatched) or nameof(ConversionStatus.Ambiguous)).ToList();
        if (unplaced.Count > 0)
        {
            WriteWarning($"{unplaced.Count} image(s) were placed by no rule" + (KeepUnmatched ? " (kept under sourcedata/unmatched/)" : "") + ":\n" +
                string.Join("\n", unplaced.Select(i => $"  {i.Source} [{i.SeriesDescription}]: {i.Reason}")));
        }
        foreach (var issue in report.Validation?.Issues ?? [])
        {
            WriteWarning($"BIDS validation, {issue.Severity} {issue.Code}: {issue.Message}");
        }
        if (report.LogPath is not null)
        {
            WriteVerbose($"Conversion log: {report.LogPath}");
        }
    }

    private ConversionRules LoadRules()
    {
        if (Rules is [var only] && Unwrap(only) is string file)
        {
            return ConversionRules.Load(ProviderPath(file));
        }
        return ConversionRules.Parse(new JsonArray(Rules.Select(ToJson).ToArray()), "the -Rules parameter");
    }

    private Core.Conversion.ParticipantMap LoadParticipants()
    {
        var map = new Core.Conversion.ParticipantMap(ParticipantId, SessionId);
        if (ParticipantMap is [var only] && Unwrap(only) is string file)
        {
            map.AddFile(ProviderPath(file));
        }
        else if (ParticipantMap is not null)
        {
            map.Add(ParticipantMap.Select(row => ToJson(row) is JsonObject obj
                ? (IReadOnlyDictionary<string, string?>)obj.ToDictionary(p => p.Key, p => p.Value?.ToString())
                : throw new ArgumentException("-ParticipantMap takes a TSV file or rows (hashtables or objects) with PatientID, StudyDate, participant_id and session_id.")), "the -ParticipantMap parameter");
        }
        return map;
    }

    private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;

    /// <summary>PowerShell values (hashtables, objects, arrays, numbers, text) as JSON nodes.</summary>
    private static JsonNode? ToJson(object? value)
    {
        if (value is PSObject wrapped)
        {
            if (wrapped.BaseObject is PSCustomObject)
            {
                var obj = new JsonObject();
                foreach (var property in wrapped.Properties)
                {
                    obj[property.Name] = ToJson(property.Value);
                }
                return obj;
            }
            value = wrapped.BaseObject;
        }
        return value switch
        {
            null => null,
            string text => JsonValue.Create(text),
            bool flag => JsonValue.Create(flag),
            SwitchParameter flag => JsonValue.Create(flag.IsPresent),
            byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal => JsonValue.Create(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)),
            IDictionary map => new JsonObject(map.Keys.Cast<object>().Select(k => KeyValuePair.Create(k.ToString()!, ToJson(map[k])))),
            IEnumerable list => new JsonArray(list.Cast<object?>().Select(ToJson).ToArray()),
            _ => JsonValue.Create(value.ToString()),
        };
    }

    private sealed class Progress(ConvertToBidsDatasetCommand cmdlet) : IProgress<ConversionProgress>
    {
        public void Report(ConversionProgress value) => cmdlet.WriteProgress(new ProgressRecord(0, "ConvertTo-BidsDataset", $"{value.Done} of {value.Total}: {value.Current}")
        {
            PercentComplete = value.Total == 0 ? 100 : 100 * value.Done / value.Total,
        });
    }
}
