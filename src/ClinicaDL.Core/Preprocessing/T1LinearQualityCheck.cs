using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using ClinicaDL.Core.Datasets;
using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.Selection;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// The measured quality check of a CAPS's t1-linear images (ClinicaDL's <c>quality-check t1-linear</c> runs a
/// downloaded network instead): each image is compared with the template over the template's brain, its registration
/// transform (the <c>_affine.mat</c> beside it, when there is one) is decomposed, and the cohort's robust z-scores find
/// the images far below the others; <see cref="QualityCheckRule"/> decides. Writes ClinicaDL's QC TSV columns then
/// the measurements, and one montage per image.
/// </summary>
public static class T1LinearQualityCheck
{
    /// <summary>ClinicaDL's four columns (quality_check/t1_linear), then the measurements.</summary>
    public static readonly string[] Columns =
    [
        "participant_id", "session_id", "pass_probability", "pass",
        "template_correlation", "mutual_information", "orientation_margin", "correlation_robust_z", "mutual_information_robust_z",
        "transform_checked", "scale_x", "scale_y", "scale_z", "shear_xy", "shear_xz", "shear_yz", "rotation_degrees", "determinant",
        "reason",
    ];

    private const int Decimals = 5;

    /// <summary>Where the montages of a TSV go: <c>&lt;its name without extension&gt;_montages/</c> beside it.</summary>
    public static string MontageFolder(string tsvPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(tsvPath))!, Path.GetFileNameWithoutExtension(tsvPath) + "_montages");

    /// <summary>
    /// The transform t1-linear writes beside an image: its name up to the final <c>_T1w</c>, without <c>_desc-Crop</c>
    /// (one transform serves the cropped and the uncropped image), then <c>_affine.mat</c>.
    /// </summary>
    public static string TransformPath(string imagePath)
    {
        var name = Path.GetFileName(imagePath);
        var stem = name[..name.LastIndexOf("_T1w", StringComparison.OrdinalIgnoreCase)].Replace("_desc-Crop", "", StringComparison.OrdinalIgnoreCase);
        return Path.Combine(Path.GetDirectoryName(imagePath)!, stem + "_affine.mat");
    }

    /// <summary>
    /// The brain mask beside a template, named as TemplateFlow names them: the template's name without its
    /// <c>_desc-...</c> and <c>_T1w</c>, then <c>_desc-brain_mask</c> (tpl-X_res-2_T1w.nii.gz: tpl-X_res-2_desc-brain_mask.nii.gz).
    /// </summary>
    public static string TemplateMaskPath(string templatePath)
    {
        var name = Path.GetFileName(templatePath);
        var extension = name.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase) ? ".nii.gz" : Path.GetExtension(name);
        var entities = name[..^extension.Length].Split('_').Where(e => !e.StartsWith("desc-", StringComparison.Ordinal) && e != "T1w");
        return Path.Combine(Path.GetDirectoryName(Path.GetFullPath(templatePath))!, string.Join('_', entities) + "_desc-brain_mask" + extension);
    }

    public static QualityCheckRun Run(QualityCheckOptions options, IProgress<QualityCheckProgress>? progress, CancellationToken cancellation)
    {
        var query = new CapsQuery { Preprocessing = "t1-linear", UseUncroppedImage = options.UseUncroppedImage };
        var notes = new List<string>();
        var images = CapsDataset.Find(options.CapsPath, query, notes);
        if (images.Count == 0)
        {
            // An audit that examined nothing is no pass.
            throw new NotFoundException(CapsDataset.NoImage(options.CapsPath, query));
        }
        var template = ReferenceTemplate.Load(options.TemplatePath);
        var maskPath = TemplateMaskPath(template.Path);
        var mask = File.Exists(maskPath) ? ReadVolume(maskPath) : null;
        var references = new ConcurrentDictionary<string, Lazy<QualityReference>>(StringComparer.Ordinal);
        var measurements = new Measurement?[images.Count];
        var failures = new Exception?[images.Count];
        var watch = Stopwatch.StartNew();
        var done = 0;
        progress?.Report(new QualityCheckProgress(0, images.Count, watch.Elapsed));
        Parallel.For(0, images.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Threads), CancellationToken = cancellation }, i =>
        {
            try
            {
                measurements[i] = Measure(images[i], template.Volume, mask, references);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                failures[i] = error;
            }
            progress?.Report(new QualityCheckProgress(Interlocked.Increment(ref done), images.Count, watch.Elapsed));
        });

        var measured = measurements.OfType<Measurement>().ToList();
        var correlationZ = QualityCheckRule.RobustZ(measured.Select(m => m.Correlation).ToList());
        var informationZ = QualityCheckRule.RobustZ(measured.Select(m => m.MutualInformation).ToList());
        var montageFolder = MontageFolder(options.OutputPath);
        Directory.CreateDirectory(montageFolder);
        var results = new QualityCheckResult[measured.Count];
        Parallel.For(0, measured.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Threads), CancellationToken = cancellation }, n =>
        {
            results[n] = Judge(measured[n], correlationZ?[n], informationZ?[n], montageFolder);
        });
        WriteTable(options.OutputPath, results);
        var unexamined = images.Select((image, i) => (image, error: failures[i])).Where(f => f.error is not null)
            .Select(f => new QualityCheckFailure(f.image, f.error!)).ToList();
        return new QualityCheckRun(results, unexamined, Path.GetFullPath(options.OutputPath), montageFolder, notes);
    }

    private static Measurement Measure(CapsImage image, Volume template, Volume? mask, ConcurrentDictionary<string, Lazy<QualityReference>> references)
    {
        var volume = ReadVolume(image.Path);
        if (volume.Values.Any(v => !float.IsFinite(v)))
        {
            throw new InvalidNiftiException(image.Path, "it holds non-finite voxel values (NaN or infinity), which no t1-linear output has");
        }
        var grid = $"{string.Join("x", volume.Shape)} {volume.Affine}";
        var reference = references.GetOrAdd(grid, _ => new Lazy<QualityReference>(() => QualityReference.On(template, mask, volume.Shape, volume.Affine))).Value;
        var correlation = ImageSimilarity.Correlation(volume.Values, reference.Template, reference.Brain);
        var information = ImageSimilarity.NormalisedMutualInformation(volume.Values, reference.Template, reference.Brain);
        var mirrored = reference.Mirrors.Select(m => ImageSimilarity.Correlation(volume.Values, m, reference.Brain)).ToArray();
        // Only along the axes the template is asymmetric about can the image's own orientation be told from its mirror's.
        var orientation = new Orientation(
            Enumerable.Range(0, 3).Where(axis => reference.Symmetry[axis] < QualityCheckRule.MaxTemplateSymmetry).ToArray(), mirrored);
        var transformPath = TransformPath(image.Path);
        AffineDecomposition? transform = null;
        string? problem = null;
        if (File.Exists(transformPath))
        {
            try
            {
                transform = AffineDecomposition.Of(ItkTransformFile.Read(transformPath));
            }
            catch (Exception error) when (error is InvalidDataException or ArgumentException or IOException)
            {
                // A broken transform is a broken t1-linear output: the image fails with the defect as its reason.
                problem = $"transform {Path.GetFileName(transformPath)} unusable: {error.Message}";
            }
        }
        return new Measurement(image, correlation, information, orientation, File.Exists(transformPath) ? transformPath : null, transform, problem,
            QualityMontage.Capture(volume, reference.Edges));
    }

    private static QualityCheckResult Judge(Measurement m, double? correlationZ, double? informationZ, string montageFolder)
    {
        var failures = QualityCheckRule.Failures(m.Correlation, m.Orientation, correlationZ, informationZ, m.Transform, m.TransformProblem);
        var pass = failures.Count == 0;
        var montagePath = Path.Combine(montageFolder, $"{m.Image.ParticipantId}_{m.Image.SessionId}.png");
        var figures = string.Create(CultureInfo.InvariantCulture,
            $"correlation {m.Correlation:0.###}, mutual information {m.MutualInformation:0.###}{(correlationZ is null ? "" : $", robust z {Math.Min(correlationZ.Value, informationZ!.Value):0.##}")}");
        var verdict = pass ? $"PASS: {figures}" : $"FAIL: {string.Join("; ", failures)}";
        m.Montage.Write(montagePath, $"{m.Image.ParticipantId} {m.Image.SessionId}: t1-linear quality check (template edges in red)", verdict, pass);
        double? Round(double? value) => value is { } v ? Math.Round(v, Decimals) : null;
        return new QualityCheckResult
        {
            ParticipantId = m.Image.ParticipantId,
            SessionId = m.Image.SessionId,
            Pass = pass,
            TemplateCorrelation = Math.Round(m.Correlation, Decimals),
            MutualInformation = Math.Round(m.MutualInformation, Decimals),
            OrientationMargin = Round(m.Orientation.Margin(m.Correlation)),
            CorrelationZ = Round(correlationZ),
            MutualInformationZ = Round(informationZ),
            TransformChecked = m.Transform is not null,
            ScaleX = Round(m.Transform?.Scales[0]),
            ScaleY = Round(m.Transform?.Scales[1]),
            ScaleZ = Round(m.Transform?.Scales[2]),
            ShearXY = Round(m.Transform?.Shears[0]),
            ShearXZ = Round(m.Transform?.Shears[1]),
            ShearYZ = Round(m.Transform?.Shears[2]),
            RotationDegrees = Round(m.Transform?.RotationDegrees),
            Determinant = Round(m.Transform?.Determinant),
            Reason = string.Join("; ", failures),
            ImagePath = m.Image.Path,
            TransformPath = m.TransformPath,
            MontagePath = montagePath,
        };
    }

    /// <summary>The TSV as ClinicaDL orders it (by pass probability, highest first), with Python's True/False and empty cells for missing values.</summary>
    private static void WriteTable(string path, IEnumerable<QualityCheckResult> results)
    {
        static string? Number(double? value) => value is { } v ? TsvTable.FormatNumber(v) : null;
        var rows = results.OrderByDescending(r => r.PassProbability).ThenBy(r => r.ParticipantId, StringComparer.Ordinal).ThenBy(r => r.SessionId, StringComparer.Ordinal)
            .Select(r => new[]
            {
                r.ParticipantId, r.SessionId, Number(r.PassProbability), r.Pass ? "True" : "False",
                Number(r.TemplateCorrelation), Number(r.MutualInformation), Number(r.OrientationMargin), Number(r.CorrelationZ), Number(r.MutualInformationZ),
                r.TransformChecked ? "True" : "False", Number(r.ScaleX), Number(r.ScaleY), Number(r.ScaleZ),
                Number(r.ShearXY), Number(r.ShearXZ), Number(r.ShearYZ), Number(r.RotationDegrees), Number(r.Determinant),
                r.Reason,
            });
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }
        new TsvTable(Columns, rows).Write(path);
    }

    private static Volume ReadVolume(string path)
    {
        var header = NiftiReader.ReadHeader(path);
        var shape = header.Shape.ToArray();
        if (shape.Length < 3 || shape.Skip(3).Any(n => n != 1))
        {
            throw new InvalidNiftiException(path, $"a t1-linear image is one 3D volume; this one is {string.Join("x", shape)}");
        }
        return new Volume(NiftiReader.ReadSingle(path, out _), [shape[0], shape[1], shape[2]], header.Affine);
    }

    private sealed record Measurement(CapsImage Image, double Correlation, double MutualInformation, Orientation Orientation, string? TransformPath,
        AffineDecomposition? Transform, string? TransformProblem, QualityMontage Montage);
}
