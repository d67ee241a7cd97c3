using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicaDL.Core.Datasets;
using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Conversion;

/// <summary>
/// From scanner exports to BIDS: every DICOM series of the inputs through dcm2niix, every loose NIfTI and ANALYZE
/// image, each placed by the first (and only) rule its sidecar meets, named with run-&lt;n&gt; where several land on
/// the same name, its sidecar cleaned of identifying fields; then the dataset-level files, a log, and a validation
/// of the whole dataset. A failure of one series is reported with it and the others go on.
/// </summary>
public static class BidsConverter
{
    private const string ModuleName = "ClinicaDL for PowerShell (ConvertTo-BidsDataset)";

    public static ConversionReport Convert(IReadOnlyList<string> inputs, ConversionOptions options, CancellationToken cancellation)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.OutputPath));
        CheckOutput(root, inputs);
        var report = new ConversionReport(root);
        var sources = ConversionSources.Scan(inputs, options.Log, cancellation);
        report.Errors.AddRange(sources.Problems);
        var log = new List<string> { $"ConvertTo-BidsDataset {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}, rules from {options.Rules.Source}" };

        Dcm2Niix? converter = null;
        if (sources.Series.Count > 0)
        {
            try
            {
                converter = Dcm2Niix.Locate(options.Dcm2NiixPath);
                log.Add($"dcm2niix {converter.Version} at {converter.ExecutablePath}");
            }
            catch (ConversionException missing)
            {
                report.Errors.Add(missing);
            }
        }

        using var outputLock = OutputLock.Acquire(root, options.Log);
        var work = Path.Combine(Path.GetDirectoryName(root)!, $".{Path.GetFileName(root)}.{Guid.NewGuid():N}.convert.tmp");
        try
        {
            var candidates = new List<Candidate>();
            var total = sources.Series.Count + sources.Images.Count;
            var done = 0;
            foreach (var series in sources.Series)
            {
                cancellation.ThrowIfCancellationRequested();
                options.Progress?.Report(new ConversionProgress(done++, total, series.First.SeriesDescription ?? series.Folder));
                candidates.AddRange(FromSeries(series, converter, sources, Path.Combine(work, $"s{done:D5}"), report, cancellation));
            }
            foreach (var image in sources.Images)
            {
                cancellation.ThrowIfCancellationRequested();
                options.Progress?.Report(new ConversionProgress(done++, total, image));
                candidates.Add(FromImage(image, Path.Combine(work, $"i{done:D5}")));
            }
            foreach (var candidate in candidates.Where(c => c.Status is null))
            {
                Match(candidate, options);
            }
            Name(candidates.Where(c => c.Status is null).ToList());
            foreach (var candidate in candidates)
            {
                cancellation.ThrowIfCancellationRequested();
                Place(candidate, root, options);
                log.Add(SidecarPrivacy.Scrub($"{candidate.Status}: {candidate.Source} [{candidate.Description}] -> " +
                    (candidate.Target is null ? candidate.Reason : $"{Path.GetRelativePath(root, candidate.Target)} (rule {candidate.Rule?.Id})"), candidate.Known));
                var result = candidate.ToResult();
                report.Items.Add(result);
                if (candidate.Error is not null)
                {
                    report.ItemErrors[result] = candidate.Error;
                }
            }
            options.Progress?.Report(new ConversionProgress(total, total, "dataset files"));
            var written = candidates.Where(c => c.Status == ConversionStatus.Converted || (c.Status == ConversionStatus.Unmatched && c.Target is not null)).ToList();
            if (written.Count > 0 && options.ShouldWrite(root, "Update dataset_description.json, participants.tsv, sessions.tsv, README, .bidsignore and the conversion log"))
            {
                WriteDatasetFiles(root, written, converter, options, log, report);
            }
        }
        finally
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
        if (Directory.Exists(root))
        {
            report.Validation = BidsValidator.Validate(root);
        }
        return report;
    }

    /// <summary>Refuses an output inside an input (the next conversion would read its own output) and a folder that is not BIDS.</summary>
    private static void CheckOutput(string root, IReadOnlyList<string> inputs)
    {
        foreach (var input in inputs.Select(i => Path.TrimEndingDirectorySeparator(Path.GetFullPath(i))))
        {
            if (Directory.Exists(input) && (root == input || root.StartsWith(input + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            {
                throw new ConversionException(ConversionFailure.OutputInsideInput, root,
                    $"The output '{root}' is inside the input '{input}': a conversion would then read its own output. Choose an output outside the inputs (the inputs may sit under the dataset's sourcedata/, not the other way round).");
            }
        }
        if (File.Exists(root))
        {
            throw new ForeignContentException(root, [Path.GetFileName(root)], $"'{root}' is a file, not a BIDS folder; choose another path.");
        }
        if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any()
            && !File.Exists(Path.Combine(root, "dataset_description.json")) && !Directory.EnumerateDirectories(root, "sub-*").Any())
        {
            throw new NotBidsDatasetException($"'{root}' exists, is not empty and is not a BIDS dataset (no dataset_description.json, no sub-* folder): nothing is written into it. Choose a new or empty folder, or a BIDS dataset to extend.", root);
        }
    }

    private static IEnumerable<Candidate> FromSeries(DicomSeries series, Dcm2Niix? converter, ConversionSources sources, string work, ConversionReport report, CancellationToken cancellation)
    {
        var first = series.First;
        Candidate Failed(string reason, Exception? error = null) => new()
        {
            Source = series.Folder, Format = "DICOM", Description = first.SeriesDescription, SeriesNumber = first.SeriesNumber, Header = first,
            Status = ConversionStatus.Failed, Reason = reason, Error = error,
        };
        if (sources.TaintedSeries.Contains(series.SeriesInstanceUid))
        {
            return [Failed("one of its files is corrupt (see the CorruptDicomFile error): the series would miss slices")];
        }
        if (converter is null)
        {
            return [Failed("dcm2niix is not installed (see the Dcm2niixNotFound error)")];
        }
        IReadOnlyList<string> images;
        try
        {
            images = converter.Convert(series, work, Path.Combine(work, "nifti"), cancellation);
        }
        catch (ConversionException refused)
        {
            return [Failed(refused.Message, refused)];
        }
        return images.Select(image =>
        {
            var candidate = FromImage(image, work);
            candidate.Source = series.Folder;
            candidate.Format = "DICOM";
            candidate.Header = first;
            candidate.Move = true;
            candidate.Description = first.SeriesDescription ?? candidate.Description;
            candidate.SeriesNumber = first.SeriesNumber ?? candidate.SeriesNumber;
            candidate.Known = SidecarPrivacy.KnownValues(first.PatientName, first.PatientId, first.PatientBirthDate);
            return candidate;
        }).ToList();
    }

    /// <summary>A NIfTI image with the sidecar and bval/bvec files beside it; ANALYZE is rewritten as NIfTI-1 in the work folder first.</summary>
    private static Candidate FromImage(string path, string work)
    {
        var candidate = new Candidate { Source = path, Format = "NIfTI", StagedImage = path };
        try
        {
            var stem = path.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase) ? path[..^7] : Path.ChangeExtension(path, null);
            if (path.EndsWith(".hdr", StringComparison.OrdinalIgnoreCase))
            {
                candidate.Format = "ANALYZE";
                candidate.StagedImage = AnalyzeToNifti(path, work);
                candidate.Move = true;
            }
            var header = NiftiReader.ReadHeader(candidate.StagedImage);
            candidate.Dimensions = header.Shape;
            var sidecarPath = stem + ".json";
            candidate.Sidecar = File.Exists(sidecarPath) ? JsonNode.Parse(File.ReadAllText(sidecarPath)) as JsonObject ?? [] : [];
            candidate.SidecarName = Path.GetFileName(sidecarPath);
            candidate.Extras = new[] { ".bval", ".bvec" }.Select(e => stem + e).Where(File.Exists).ToList();
            candidate.Description = candidate.Sidecar["SeriesDescription"]?.ToString() ?? Path.GetFileName(path);
            candidate.SeriesNumber = candidate.Sidecar["SeriesNumber"] is JsonValue number && number.TryGetValue<int>(out var n) ? n : null;
            candidate.Known = SidecarPrivacy.KnownValues(candidate.Sidecar["PatientName"]?.ToString(), candidate.Sidecar["PatientID"]?.ToString(), null);
        }
        catch (Exception error) when (error is InvalidNiftiException or JsonException or IOException or UnauthorizedAccessException)
        {
            candidate.Status = ConversionStatus.Failed;
            candidate.Reason = error.Message;
            candidate.Error = error;
        }
        return candidate;
    }

    /// <summary>ANALYZE 7.5 to NIfTI-1 with the module's reader and writer: the stored values and scaling unchanged, nibabel's ANALYZE affine.</summary>
    private static string AnalyzeToNifti(string header, string work)
    {
        var image = NiftiReader.Read(header);
        Directory.CreateDirectory(work);
        var target = Path.Combine(work, Path.GetFileNameWithoutExtension(header) + ".nii.gz");
        var (slope, inter) = image.Header.EffectiveScaling;
        // ANALYZE says nothing of orientation: code 2 ("aligned") with the affine nibabel gives ANALYZE (radiological, x flipped).
        NiftiWriter.WriteRaw(target, image.Shape, image.GetRawBytes(), image.Affine, new NiftiWriteOptions
        {
            DataType = image.Header.VoxelType, SclSlope = slope, SclInter = inter, QformCode = 2, SformCode = 2, Descrip = "converted from ANALYZE 7.5",
        });
        return target;
    }

    private static void Match(Candidate candidate, ConversionOptions options)
    {
        var view = (JsonObject)JsonNode.Parse(candidate.Sidecar.ToJsonString())!;
        view["SidecarFilename"] = candidate.SidecarName;
        view["Dimensions"] = new JsonArray(candidate.Dimensions!.Select(d => (JsonNode)d).ToArray());
        view["VolumeCount"] = candidate.Dimensions!.Count > 3 ? candidate.Dimensions[3] : 1;
        view = (JsonObject)JsonNode.Parse(view.ToJsonString())!;
        var matches = options.Rules.Rules.Where(r => r.Explain(view) is null).ToList();
        if (matches.Count == 0)
        {
            candidate.Status = ConversionStatus.Unmatched;
            candidate.Reason = "no rule matched: " + string.Join("; ", options.Rules.Rules.Select(r => $"{r.Id}: {r.Explain(view)}"));
            Subject(candidate, options, required: false);
            return;
        }
        if (matches.Count > 1)
        {
            candidate.Status = ConversionStatus.Ambiguous;
            candidate.Reason = $"several rules matched ({string.Join(", ", matches.Select(m => m.Id))}); make their criteria exclusive";
            return;
        }
        candidate.Rule = matches[0];
        Subject(candidate, options, required: true);
    }

    private static void Subject(Candidate candidate, ConversionOptions options, bool required)
    {
        var patient = candidate.Header?.PatientId ?? candidate.Sidecar["PatientID"]?.ToString();
        var date = candidate.Header?.StudyDate ?? (candidate.Sidecar["AcquisitionDateTime"]?.ToString() is { Length: >= 10 } iso ? iso[..10] : null);
        candidate.Subject = options.Participants.Resolve(patient, date);
        if (candidate.Subject is null && required)
        {
            candidate.Status = ConversionStatus.Failed;
            candidate.Error = new ConversionException(ConversionFailure.ParticipantNotMapped, candidate.Source,
                $"'{candidate.Source}' has no participant label: " + (patient is null
                    ? "its patient is unknown (no DICOM header or PatientID in the sidecar); give -ParticipantId."
                    : "no -ParticipantMap row has its PatientID (and study date), and no -ParticipantId was given."));
            candidate.Reason = candidate.Error.Message;
        }
    }

    /// <summary>BIDS names; where several images get the same one, run-01, run-02... in series order (dcm2bids's rule).</summary>
    private static void Name(List<Candidate> placed)
    {
        foreach (var group in placed.GroupBy(c => Stem(c, c.Rule!.Entities)))
        {
            var ordered = group.OrderBy(c => c.SeriesNumber ?? int.MaxValue).ThenBy(c => c.Sidecar["AcquisitionTime"]?.ToString(), StringComparer.Ordinal)
                .ThenBy(c => c.Source, StringComparer.Ordinal).ThenBy(c => c.StagedImage, StringComparer.Ordinal).ToList();
            if (ordered.Count == 1 || ordered[0].Rule!.Entities.ContainsKey("run"))
            {
                ordered[0].Stem = group.Key;
                foreach (var clash in ordered.Skip(1))
                {
                    clash.Status = ConversionStatus.Failed;
                    clash.Reason = $"it would get the same name as {ordered[0].Source} ({group.Key}): its rule sets run itself";
                }
                continue;
            }
            for (var i = 0; i < ordered.Count; i++)
            {
                var entities = new Dictionary<string, string>(ordered[i].Rule!.Entities) { ["run"] = (i + 1).ToString("D2", CultureInfo.InvariantCulture) };
                ordered[i].Stem = Stem(ordered[i], entities);
            }
        }
    }

    private static string Stem(Candidate candidate, IReadOnlyDictionary<string, string> entities) =>
        BidsNaming.Stem(candidate.Subject!.Value.Participant, candidate.Subject.Value.Session, entities, candidate.Rule!.Suffix);

    private static void Place(Candidate candidate, string root, ConversionOptions options)
    {
        if (candidate.Status is null)
        {
            var (participant, session) = candidate.Subject!.Value;
            var folder = Path.Combine(root, $"sub-{participant}", session is null ? "" : $"ses-{session}", candidate.Rule!.Datatype);
            Write(candidate, folder, candidate.Stem!, options, ConversionStatus.Converted);
        }
        else if (candidate.Status == ConversionStatus.Unmatched && options.KeepUnmatched && candidate.Subject is { } subject)
        {
            var folder = Path.Combine(root, "sourcedata", "unmatched", $"sub-{subject.Participant}", subject.Session is null ? "" : $"ses-{subject.Session}");
            var name = Path.GetFileName(candidate.StagedImage);
            Write(candidate, folder, name[..name.IndexOf('.')], options, ConversionStatus.Unmatched);
        }
    }

    private static void Write(Candidate candidate, string folder, string stem, ConversionOptions options, ConversionStatus status)
    {
        var extension = candidate.StagedImage.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase) ? ".nii.gz" : ".nii";
        var image = Path.Combine(folder, stem + extension);
        var targets = new[] { ".nii.gz", ".nii", ".json" }.Concat(candidate.Extras.Select(Path.GetExtension)).Select(e => Path.Combine(folder, stem + e)).ToList();
        candidate.Target = image;
        var existing = targets.Where(File.Exists).ToList();
        if (existing.Count > 0 && !options.Force)
        {
            candidate.Status = ConversionStatus.Exists;
            candidate.Error = new OutputExistsException(existing[0], $"'{existing[0]}' exists already; the image of {candidate.Source} is not written. Give -Force to replace it.");
            candidate.Reason = candidate.Error.Message;
            return;
        }
        if (!options.ShouldWrite(image, $"Write {candidate.Format} image of '{candidate.Source}'" + (existing.Count > 0 ? " (replacing the existing files)" : "")))
        {
            candidate.Status = ConversionStatus.Skipped;
            candidate.Reason = "not written (-WhatIf or declined)";
            return;
        }
        Directory.CreateDirectory(folder);
        existing.ForEach(File.Delete);
        var sidecar = (JsonObject)candidate.Sidecar.DeepClone();
        candidate.Removed = SidecarPrivacy.Clean(sidecar, candidate.Known);
        if (candidate.Removed.Count > 0)
        {
            options.Log?.Invoke($"Identifying fields left out of the sidecar of {stem}: {string.Join(", ", candidate.Removed)}.");
        }
        if (status == ConversionStatus.Converted)
        {
            foreach (var (field, value) in candidate.Rule!.SidecarChanges ?? [])
            {
                sidecar[field] = value?.DeepClone();
            }
            if (candidate.Rule.Entities.TryGetValue("task", out var task) && !sidecar.ContainsKey("TaskName"))
            {
                sidecar["TaskName"] = task;
            }
        }
        Transfer(candidate.StagedImage, image, candidate.Move);
        foreach (var extra in candidate.Extras)
        {
            Transfer(extra, Path.Combine(folder, stem + Path.GetExtension(extra)), candidate.Move);
        }
        AtomicFile.WriteAllText(Path.Combine(folder, stem + ".json"), sidecar.ToJsonString(BidsDatasetFiles.Indented) + "\n");
        candidate.Status = status;
    }

    /// <summary>A staged file is moved; a user's file is copied beside the target, then renamed (whole or absent).</summary>
    private static void Transfer(string source, string target, bool move)
    {
        if (move)
        {
            File.Move(source, target, overwrite: true);
            return;
        }
        var temporary = $"{target}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.Copy(source, temporary);
            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static void WriteDatasetFiles(string root, List<Candidate> written, Dcm2Niix? converter, ConversionOptions options, List<string> log, ConversionReport report)
    {
        var name = options.DatasetName ?? Path.GetFileName(root);
        var version = typeof(BidsConverter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";
        var tools = new List<(string, string)> { (ModuleName, version) };
        if (converter is not null && written.Any(c => c.Format == "DICOM"))
        {
            tools.Add(("dcm2niix", converter.Version));
        }
        BidsDatasetFiles.WriteDescription(root, name, tools);
        BidsDatasetFiles.WriteReadme(root, name);
        var participants = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var candidate in written.Where(c => c.Status == ConversionStatus.Converted))
        {
            var (participant, session) = candidate.Subject!.Value;
            var row = participants.TryGetValue($"sub-{participant}", out var r) ? r : participants[$"sub-{participant}"] = [];
            if (Sex(candidate.Header?.PatientSex) is { } sex)
            {
                row.TryAdd("sex", sex);
            }
            if (Age(candidate.Header?.PatientAge) is { } age)
            {
                row.TryAdd("age", age);
            }
            if (session is not null)
            {
                var sessions = new Dictionary<string, Dictionary<string, string>> { [$"ses-{session}"] = [] };
                if (AcquisitionTime(candidate) is { } time)
                {
                    sessions[$"ses-{session}"]["acq_time"] = time;
                }
                BidsDatasetFiles.Merge(Path.Combine(root, $"sub-{participant}", $"sub-{participant}_sessions.tsv"), "session_id", sessions);
            }
        }
        BidsDatasetFiles.Merge(Path.Combine(root, "participants.tsv"), "participant_id", participants);
        var ignored = new List<string> { "logs/" };
        if (written.Any(c => c.Status == ConversionStatus.Unmatched))
        {
            ignored.Add("sourcedata/unmatched/");
        }
        BidsDatasetFiles.AddToBidsIgnore(root, ignored);
        var logs = Directory.CreateDirectory(Path.Combine(root, "logs")).FullName;
        report.LogPath = Path.Combine(logs, $"ConvertTo-BidsDataset_{DateTime.UtcNow:yyyyMMddTHHmmssfffZ}.log");
        AtomicFile.WriteAllText(report.LogPath, string.Join("\n", log) + "\n");
    }

    private static string? Sex(string? dicom) => dicom switch { "M" => "M", "F" => "F", "O" => "O", _ => null };

    /// <summary>DICOM's age string (045Y, 006M, 010W, 020D) in years; 89 and above are written 89, as HIPAA's Safe Harbor asks.</summary>
    private static string? Age(string? dicom)
    {
        if (dicom is not { Length: 4 } || !int.TryParse(dicom[..3], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return null;
        }
        double? years = dicom[3] switch { 'Y' => value, 'M' => value / 12.0, 'W' => value * 7 / 365.25, 'D' => value / 365.25, _ => null };
        return years is null ? null : TsvTable.FormatNumber(Math.Round(Math.Min(years.Value, 89), 2));
    }

    /// <summary>BIDS's acq_time of the session: the study's date and time from the DICOM header, or the sidecar's AcquisitionDateTime.</summary>
    private static string? AcquisitionTime(Candidate candidate)
    {
        if (candidate.Header is { StudyDate: { Length: 8 } date } header)
        {
            var time = header.StudyTime is { Length: >= 6 } t ? $"{t[..2]}:{t[2..4]}:{t[4..6]}" : "00:00:00";
            return $"{date[..4]}-{date[4..6]}-{date[6..8]}T{time}";
        }
        return candidate.Sidecar["AcquisitionDateTime"]?.ToString() is { Length: >= 19 } iso ? iso[..19] : null;
    }

    /// <summary>One image on its way: where it is staged, what matched it, where it goes.</summary>
    private sealed class Candidate
    {
        public string Source { get; set; } = "";
        public string Format { get; set; } = "";
        public string? Description { get; set; }
        public int? SeriesNumber { get; set; }
        public DicomHeader? Header { get; set; }
        public string StagedImage { get; set; } = "";
        public bool Move { get; set; }
        public List<string> Extras { get; set; } = [];
        public JsonObject Sidecar { get; set; } = [];
        public string SidecarName { get; set; } = "";
        public ReadableList<int>? Dimensions { get; set; }
        public IReadOnlyList<string> Known { get; set; } = [];
        public ConversionRule? Rule { get; set; }
        public (string Participant, string? Session)? Subject { get; set; }
        public string? Stem { get; set; }
        public string? Target { get; set; }
        public ConversionStatus? Status { get; set; }
        public string? Reason { get; set; }
        public Exception? Error { get; set; }
        public IReadOnlyList<string> Removed { get; set; } = [];

        public ConvertedSeries ToResult() => new()
        {
            Source = Source,
            SourceFormat = Format,
            SeriesDescription = Description,
            SeriesNumber = SeriesNumber,
            Rule = Rule?.Id,
            ParticipantId = Subject is { } s ? $"sub-{s.Participant}" : null,
            SessionId = Subject is { Session: { } session } ? $"ses-{session}" : null,
            OutputPath = Target,
            Dimensions = Dimensions,
            Status = (Status ?? ConversionStatus.Failed).ToString(),
            Reason = Reason,
            RemovedFields = new(Removed),
        };
    }
}
