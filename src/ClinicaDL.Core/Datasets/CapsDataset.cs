using System.Text.RegularExpressions;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Selection;

namespace ClinicaDL.Core.Datasets;

/// <summary>
/// Finds preprocessed images in a CAPS folder with ClinicaDL 1.6's file patterns, where ClinicaDL looks for them:
/// anywhere under the session (<c>subjects/sub-*/ses-*/**/pattern</c>, case-insensitive, as clinica_utils'
/// find_sub_ses_pattern_path), so the <c>t1-linear/</c> folders ClinicaDL's own generate commands write are read as
/// ClinicaDL reads them; a pattern with a folder (pet-linear's <c>pet_linear/</c>) needs that folder. When several
/// files match and differ only by <c>run-N</c>, the highest run is taken (as ClinicaDL); any other multiple match is
/// an error naming the files. Links to folders inside a session are not entered, a
/// session that is a link to another session is left out, and an unreadable subject is left out; each is said
/// in the notes.
/// </summary>
public static partial class CapsDataset
{
    public static IReadOnlyList<CapsImage> Find(string capsPath, CapsQuery query, ICollection<string>? notes = null)
    {
        var root = Path.GetFullPath(capsPath);
        var subjects = Path.Combine(root, "subjects");
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"The CAPS folder '{root}' does not exist.");
        }
        if (!Directory.Exists(subjects))
        {
            throw new CapsException($"'{root}' is not a CAPS folder: it has no subjects/ folder.");
        }
        var (folder, ending) = FileEnding(query);
        var pattern = Pattern(ending);
        var images = new List<CapsImage>();
        var sessionFolders = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var subjectPath in Directory.EnumerateDirectories(subjects, "sub-*").Order(StringComparer.Ordinal))
        {
            // One unreadable subject is reported and gone past, as every other dataset problem.
            try
            {
                images.AddRange(FindInSubject(subjectPath, query, folder, pattern, sessionFolders, notes));
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                notes?.Add($"'{subjectPath}' could not be read ({error.Message}); its sessions are left out.");
            }
        }
        return images;
    }

    /// <summary>
    /// The images of one subject's sessions; <paramref name="sessionFolders"/> holds the folder each session read so
    /// far really is, so a session linked to another is not counted twice.
    /// </summary>
    private static List<CapsImage> FindInSubject(string subjectPath, CapsQuery query, string? folder, Regex pattern,
        Dictionary<string, string> sessionFolders, ICollection<string>? notes)
    {
        var images = new List<CapsImage>();
        var subjectFolder = FileTree.Identity(subjectPath);
        foreach (var sessionPath in Directory.EnumerateDirectories(subjectPath, "ses-*").Order(StringComparer.Ordinal))
        {
            var identity = FileTree.Identity(Path.Combine(subjectFolder, Path.GetFileName(sessionPath)));
            if (!sessionFolders.TryAdd(identity, sessionPath))
            {
                notes?.Add($"'{sessionPath}' is the same folder as '{sessionFolders[identity]}' (a symbolic link); it is left out so its images are not taken twice.");
                continue;
            }
            var links = new List<string>();
            var matches = FileTree.Files(sessionPath, "*", links)
                .Where(f => pattern.IsMatch(Path.GetFileName(f)) && InFolder(f, folder)).Order(StringComparer.Ordinal).ToList();
            foreach (var link in links)
            {
                notes?.Add($"'{link}' links to a folder; the search does not enter such links (one to its own ancestor would never end).");
            }
            if (matches.Count == 0)
            {
                continue;
            }
            var chosen = matches.Count == 1 ? matches[0] : HighestRun(matches, notes);
            var name = Path.GetFileName(chosen);
            images.Add(new CapsImage
            {
                ParticipantId = Path.GetFileName(subjectPath),
                SessionId = Path.GetFileName(sessionPath),
                Preprocessing = query.Preprocessing,
                Path = chosen,
                Cropped = name.Contains("_desc-Crop_", StringComparison.OrdinalIgnoreCase),
                Tracer = Entity(name, "trc"),
                SuvrReferenceRegion = Entity(name, "suvr"),
                CustomSuffix = query.CustomSuffix,
            });
        }
        return images;
    }

    /// <summary>
    /// The CAPS a path belongs to: a folder with subjects/ itself, else the folder holding the subjects/ folder the
    /// path lies in (an image, a session). Objects that name one of their images, such as
    /// New-ClinicaDLSyntheticDataset's sessions, so name their CAPS.
    /// </summary>
    public static string RootOf(string path)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        for (var folder = full; folder is not null; folder = Path.GetDirectoryName(folder))
        {
            if (Directory.Exists(Path.Combine(folder, "subjects")) && (folder == full || full.StartsWith(Path.Combine(folder, "subjects") + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            {
                return folder;
            }
        }
        return full;
    }

    /// <summary>
    /// For a query that found no image: what it asked for, and the kinds of NIfTI image the CAPS has (folder and
    /// file name after the participant and session, with the number of sessions having one), so a wrong
    /// preprocessing, tracer, region or crop choice shows next to the right one.
    /// </summary>
    public static MissingName NoImage(string capsPath, CapsQuery query)
    {
        var root = Path.GetFullPath(capsPath);
        var kinds = Directory.EnumerateDirectories(Path.Combine(root, "subjects"), "sub-*")
            .SelectMany(subject => Directory.EnumerateDirectories(subject, "ses-*"))
            .SelectMany(session => FileTree.Files(session, "*.nii*")
                .Select(file => Path.GetRelativePath(session, Path.GetDirectoryName(file)!).Replace('\\', '/') + "/*" + SubjectSession().Replace(Path.GetFileName(file), ""))
                .Distinct())
            .GroupBy(kind => kind, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} ({g.Count()} sessions)").ToList();
        return new MissingName(NotFoundKind.Image, $"{query.Preprocessing} image ({SearchPattern(query)})", $"The CAPS '{root}'", kinds);
    }

    /// <summary>
    /// Where a query looks, in ClinicaDL's glob terms (e.g. <c>subjects/sub-*/ses-*/**/*_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz</c>),
    /// for every message about an image not found.
    /// </summary>
    public static string SearchPattern(CapsQuery query)
    {
        var (folder, ending) = FileEnding(query);
        return $"subjects/sub-*/ses-*/**/{(folder is null ? "" : folder + "/")}*{ending}";
    }

    /// <summary>
    /// ClinicaDL's file_type of a query (clinica_utils' linear_nii, pet_linear_nii, the custom suffix), word for word:
    /// the pattern, description and pipeline its extraction JSON and maps.json record.
    /// </summary>
    public static System.Text.Json.Nodes.JsonObject ClinicaFileType(CapsQuery query)
    {
        var (folder, ending) = FileEnding(query);
        // ClinicaDL's linear patterns start at "space-", its pet and custom ones at the whole ending.
        var linear = query.Preprocessing is "t1-linear" or "flair-linear";
        var pattern = (folder is null ? "" : folder + "/") + "*" + (linear ? ending.TrimStart('_') : ending);
        return query.Preprocessing switch
        {
            "custom" => new() { ["pattern"] = pattern, ["description"] = "Custom suffix" },
            "t1-linear" or "flair-linear" => new()
            {
                ["pattern"] = pattern,
                ["description"] = $"{(query.Preprocessing == "t1-linear" ? "T1w" : "flair")} Image registered in MNI152NLin2009cSym space using {query.Preprocessing} pipeline "
                    + (query.UseUncroppedImage ? "" : "and cropped (matrix size 169\u00d7208\u00d7179, 1 mm isotropic voxels)"),
                ["needed_pipeline"] = query.Preprocessing,
            },
            _ => new() { ["pattern"] = pattern, ["description"] = "", ["needed_pipeline"] = query.Preprocessing },
        };
    }

    /// <summary>A file is in the pattern's folder when the pattern names one (ClinicaDL's <c>**/pet_linear/*</c>): its parent folder has that name.</summary>
    private static bool InFolder(string file, string? folder) =>
        folder is null || string.Equals(Path.GetFileName(Path.GetDirectoryName(file)), folder, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The folder a preprocessing's files must be in (null: anywhere in the session, as ClinicaDL's patterns without
    /// a folder) and the end of their names, as ClinicaDL defines them. t1-extensive has no ClinicaDL 1.6 pattern:
    /// Clinica's t1_extensive folder is required.
    /// </summary>
    internal static (string? Folder, string Ending) FileEnding(CapsQuery query)
    {
        var crop = query.UseUncroppedImage ? "" : "_desc-Crop";
        const string space = "_space-MNI152NLin2009cSym";
        return query.Preprocessing switch
        {
            "t1-linear" => (null, $"{space}{crop}_res-1x1x1_T1w.nii.gz"),
            "flair-linear" => (null, $"{space}{crop}_res-1x1x1_flair.nii.gz"),
            "t1-extensive" => ("t1_extensive", "_space-Ixi549Space_desc-SkullStripped_T1w.nii.gz"),
            "pet-linear" => ("pet_linear",
                $"_trc-{Required(query.Tracer, "-Tracer")}{space}{crop}_res-1x1x1_suvr-{Required(query.SuvrReferenceRegion, "-SuvrReferenceRegion")}_pet.nii.gz"),
            "custom" => (null, Required(query.CustomSuffix, "-CustomSuffix")),
            _ => throw new CapsException($"Unknown preprocessing '{query.Preprocessing}'; expected one of {string.Join(", ", CapsQuery.PreprocessingNames)}."),
        };
    }

    private static Regex Pattern(string ending) =>
        new("^.*" + Regex.Escape(ending) + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static string Required(string? value, string parameter) =>
        string.IsNullOrWhiteSpace(value) ? throw new CapsException($"This preprocessing needs {parameter}.") : value;

    private static string HighestRun(List<string> matches, ICollection<string>? notes)
    {
        var withoutRun = matches.Select(m => RunEntity().Replace(Path.GetFileName(m), "")).Distinct().Count();
        if (withoutRun != 1 || matches.Any(m => !RunEntity().IsMatch(Path.GetFileName(m))))
        {
            throw new CapsException($"Several files match in one session, not only differing by run: {string.Join(", ", matches)}.");
        }
        var chosen = matches.OrderByDescending(m => int.Parse(RunEntity().Match(Path.GetFileName(m)).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).First();
        notes?.Add($"Several runs match; the highest was taken: '{chosen}'.");
        return chosen;
    }

    private static string? Entity(string name, string key)
    {
        var match = Regex.Match(name, $"_{key}-([A-Za-z0-9]+)");
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex(@"^sub-[A-Za-z0-9]+_ses-[A-Za-z0-9]+")]
    private static partial Regex SubjectSession();

    [GeneratedRegex(@"_run-(\d+)")]
    private static partial Regex RunEntity();
}
