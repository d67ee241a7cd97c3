using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Runtime;

namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// Clinica's t1-linear in the engine: N4 bias field correction, affine registration to the template, one
/// trilinear resampling onto Clinica's cropped grid, written to Clinica's CAPS paths with the transform as ANTs
/// writes it and a JSON sidecar recording every parameter. Each image's files appear whole or not at all, the sidecar
/// last, so an image with a sidecar of this module is complete. Several processes may preprocess into one CAPS at
/// once (<see cref="CapsImageLock"/>): each image is written under its own lock, the CAPS' shared files once.
/// </summary>
public static class T1LinearPipeline
{
    public const string PipelineName = "t1-linear";
    private const string Space = "space-MNI152NLin2009cSym";
    private const string GeneratorName = "ClinicaDL for PowerShell: Invoke-ClinicaDLPreprocessing";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static IReadOnlyList<T1LinearResult> Run(IReadOnlyList<T1LinearInput> inputs, T1LinearOptions options, IProgress<T1LinearProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        var template = ReferenceTemplate.Load(options.TemplatePath);
        var caps = Path.GetFullPath(options.CapsPath);
        Directory.CreateDirectory(caps);
        using (CapsImageLock.Shared(caps, options.Log))
        {
            WriteDatasetDescription(caps);
        }
        TorchRuntime.EnsureLoaded();
        using var prepared = RegistrationTemplate.Prepare(template.Volume, options.Registration with { Seed = options.Seed });
        var templateOnGrid = template.OnOutputGrid(options.Uncropped);
        var parameters = Parameters(options, template);
        var results = new T1LinearResult[inputs.Count];
        var watch = Stopwatch.StartNew();
        var done = 0;
        // One image at a time, on this thread. TorchSharp 0.107 hands a Scalar it makes implicitly (any operator with a
        // number, and the alpha of every Tensor.add/sub) to native code without keeping it alive, and frees it in its
        // finalizer: a collection started by a second managed thread during the call frees it mid-operation
        // (libtorch: "Unknown scalar type", toFloat), which failed 1 to 6 of 16 phantoms with two images at once. A
        // single thread allocating cannot collect during its own native calls. More libtorch threads per image instead
        // cost 5x on a busy 2-core machine (a descheduled thread at every join of these small products).
        using var threads = TorchRuntime.UseThreads(Math.Max(1, options.ThreadsPerImage));
        for (var i = 0; i < inputs.Count; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            results[i] = ProcessOrFail(inputs[i], caps, options, template, prepared, templateOnGrid, parameters, cancellation);
            progress?.Report(new T1LinearProgress(++done, inputs.Count, $"{inputs[i].ParticipantId} {inputs[i].SessionId}", watch.Elapsed));
        }
        return results;
    }

    /// <summary>The preprocessed image's path in a CAPS, as Clinica names it.</summary>
    public static string OutputPath(string caps, string participant, string session, bool uncropped) =>
        Path.Combine(Folder(caps, participant, session), $"{participant}_{session}_{Space}{(uncropped ? "" : "_desc-Crop")}_res-1x1x1_T1w.nii.gz");

    public static string TransformPath(string caps, string participant, string session) =>
        Path.Combine(Folder(caps, participant, session), $"{participant}_{session}_{Space}_res-1x1x1_affine.mat");

    public static string SidecarPath(string outputPath) => outputPath[..^".nii.gz".Length] + ".json";

    private static string Folder(string caps, string participant, string session) => Path.Combine(caps, "subjects", participant, session, "t1_linear");

    private static T1LinearResult ProcessOrFail(T1LinearInput input, string caps, T1LinearOptions options, ReferenceTemplate template, RegistrationTemplate prepared,
        Volume templateOnGrid, JsonObject parameters, CancellationToken cancellation)
    {
        try
        {
            return Process(input, caps, options, template, prepared, templateOnGrid, parameters, cancellation);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            return new T1LinearResult { ParticipantId = input.ParticipantId, SessionId = input.SessionId, SourcePath = input.Path, Status = T1LinearStatus.Failed, Error = error };
        }
    }

    private static T1LinearResult Process(T1LinearInput input, string caps, T1LinearOptions options, ReferenceTemplate template, RegistrationTemplate prepared,
        Volume templateOnGrid, JsonObject parameters, CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        using var writing = CapsImageLock.Acquire(caps, Folder(caps, input.ParticipantId, input.SessionId), options.Log);
        var outputPath = OutputPath(caps, input.ParticipantId, input.SessionId, options.Uncropped);
        var transformPath = TransformPath(caps, input.ParticipantId, input.SessionId);
        var sidecarPath = SidecarPath(outputPath);
        var key = Key(parameters, input.Path);
        if (Earlier(outputPath, transformPath, sidecarPath, key, options.Overwrite) is { } earlier)
        {
            return new T1LinearResult
            {
                ParticipantId = input.ParticipantId, SessionId = input.SessionId, SourcePath = input.Path, Status = T1LinearStatus.Skipped,
                OutputPath = outputPath, TransformPath = transformPath,
                MutualInformation = (double?)earlier["mutual_information"] ?? double.NaN,
                TemplateCorrelation = (double?)earlier["template_correlation"] ?? double.NaN,
            };
        }
        var image = ReadT1w(input.Path);
        cancellation.ThrowIfCancellationRequested();
        var corrected = BiasFieldCorrection.Correct(image, null, options.BiasField, cancellation);
        cancellation.ThrowIfCancellationRequested();
        var registration = AffineRegistration.Register(prepared, corrected.Corrected, cancellation);
        var output = VolumeResampler.Resample(corrected.Corrected, registration.Transform, templateOnGrid.Shape, templateOnGrid.Affine);
        var correlation = BrainCorrelation(output, templateOnGrid);
        cancellation.ThrowIfCancellationRequested();
        Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);
        WriteImageAtomically(outputPath, output, input);
        ItkTransformFile.Write(transformPath, registration.Transform, registration.Centre);
        var seconds = Math.Round(watch.Elapsed.TotalSeconds, 3);
        AtomicFile.WriteAllText(sidecarPath, Sidecar(parameters, key, input, template, registration, correlation, corrected, seconds).ToJsonString(Indented) + "\n");
        return new T1LinearResult
        {
            ParticipantId = input.ParticipantId, SessionId = input.SessionId, SourcePath = input.Path, Status = T1LinearStatus.Done,
            OutputPath = outputPath, TransformPath = transformPath, DurationSeconds = seconds,
            MutualInformation = Math.Round(registration.MutualInformation, 5), TemplateCorrelation = Math.Round(correlation, 5),
        };
    }

    /// <summary>
    /// An earlier output of the same image: skipped when this module made it from the same file with the same
    /// parameters (its quality figures are returned); refused when it was made otherwise (unless overwriting) or
    /// by another tool (never replaced).
    /// </summary>
    private static JsonNode? Earlier(string outputPath, string transformPath, string sidecarPath, string key, bool overwrite)
    {
        var present = new[] { outputPath, transformPath, sidecarPath }.Where(File.Exists).ToList();
        if (present.Count == 0)
        {
            return null;
        }
        var sidecar = ReadOwnSidecar(sidecarPath);
        if (sidecar is null)
        {
            throw new ForeignContentException(Path.GetDirectoryName(outputPath)!, present.Select(Path.GetFileName).ToList()!,
                $"{string.Join(", ", present)} {(present.Count == 1 ? "was" : "were")} not made by this module (no sidecar of {GeneratorName}): it is left as it is; move it away to preprocess this image here.");
        }
        if ((string?)sidecar["ParametersKey"] == key && File.Exists(outputPath) && File.Exists(transformPath))
        {
            return sidecar["Quality"] ?? new JsonObject();
        }
        if (!overwrite)
        {
            throw new OutputExistsException(outputPath,
                $"{outputPath} was preprocessed earlier with other parameters, template or source file; use -Force to preprocess it again.");
        }
        return null;
    }

    /// <summary>
    /// An image's result read back from the CAPS, for an image another process preprocessed (a chunk's child process
    /// or SLURM task started at <paramref name="partStarted"/>): Done when this module's sidecar was written since,
    /// Skipped when an earlier one is there and the part succeeded (it found the image done with the same settings),
    /// else Failed with <paramref name="failure"/> (a part that failed may have refused an image done otherwise).
    /// </summary>
    public static T1LinearResult Outcome(T1LinearInput input, string caps, bool uncropped, DateTime partStarted, bool partSucceeded, Exception failure)
    {
        var outputPath = OutputPath(caps, input.ParticipantId, input.SessionId, uncropped);
        var transformPath = TransformPath(caps, input.ParticipantId, input.SessionId);
        var sidecarPath = SidecarPath(outputPath);
        var sidecar = ReadOwnSidecar(sidecarPath);
        var written = sidecar is not null && File.Exists(outputPath) && File.Exists(transformPath);
        var status = !written ? T1LinearStatus.Failed
            : File.GetLastWriteTimeUtc(sidecarPath) >= partStarted ? T1LinearStatus.Done
            : partSucceeded ? T1LinearStatus.Skipped : T1LinearStatus.Failed;
        if (status == T1LinearStatus.Failed)
        {
            return new T1LinearResult { ParticipantId = input.ParticipantId, SessionId = input.SessionId, SourcePath = input.Path, Status = status, Error = failure };
        }
        return new T1LinearResult
        {
            ParticipantId = input.ParticipantId, SessionId = input.SessionId, SourcePath = input.Path, Status = status,
            OutputPath = outputPath, TransformPath = transformPath, DurationSeconds = (double?)sidecar!["DurationSeconds"] ?? double.NaN,
            MutualInformation = (double?)sidecar["Quality"]?["mutual_information"] ?? double.NaN,
            TemplateCorrelation = (double?)sidecar["Quality"]?["template_correlation"] ?? double.NaN,
        };
    }

    private static JsonNode? ReadOwnSidecar(string sidecarPath)
    {
        if (!File.Exists(sidecarPath))
        {
            return null;
        }
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(sidecarPath));
            return (string?)node?["GeneratedBy"]?["Name"] == GeneratorName ? node : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads a raw T1w image, refusing anything but one 3D volume.</summary>
    private static Volume ReadT1w(string path)
    {
        var header = NiftiReader.ReadHeader(path);
        var shape = header.Shape.ToArray();
        if (shape.Length < 3 || shape.Skip(3).Any(n => n != 1))
        {
            throw new UnusableImageException(path, $"a T1w image is one 3D volume; this one is {string.Join("x", shape)}");
        }
        if (shape.Take(3).Any(n => n < 16))
        {
            throw new UnusableImageException(path, $"a T1w image has at least 16 voxels a side; this one is {string.Join("x", shape)}");
        }
        var values = NiftiReader.ReadSingle(path, out _);
        return new Volume(values, [shape[0], shape[1], shape[2]], header.Affine);
    }

    /// <summary>Pearson correlation of the output with the template over the template's brain (its positive voxels).</summary>
    internal static double BrainCorrelation(Volume output, Volume template)
    {
        double n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        for (var i = 0; i < output.Values.Length; i++)
        {
            var t = template.Values[i];
            if (t <= 0)
            {
                continue;
            }
            double x = output.Values[i];
            n++;
            sx += x;
            sy += t;
            sxx += x * x;
            syy += (double)t * t;
            sxy += x * t;
        }
        var covariance = sxy - sx * sy / n;
        var spread = Math.Sqrt((sxx - sx * sx / n) * (syy - sy * sy / n));
        return spread > 0 ? covariance / spread : 0;
    }

    private static void WriteImageAtomically(string outputPath, Volume output, T1LinearInput input)
    {
        var temporary = outputPath[..^".nii.gz".Length] + $".{Environment.ProcessId}.{Guid.NewGuid():N}.tmp.nii.gz";
        try
        {
            NiftiWriter.Write(temporary, output.Shape, output.Values, output.Affine, new NiftiWriteOptions
            {
                Descrip = $"t1-linear {input.ParticipantId} {input.SessionId}", QformCode = 4, SformCode = 4,
            });
            File.Move(temporary, outputPath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Everything that decides an output's bits, so a resumed run knows an earlier output is the same.</summary>
    private static JsonObject Parameters(T1LinearOptions options, ReferenceTemplate template) => new()
    {
        ["pipeline"] = PipelineName,
        ["uncropped_image"] = options.Uncropped,
        ["seed"] = options.Seed,
        ["threads_per_image"] = options.ThreadsPerImage,
        ["template_sha256"] = template.Sha256,
        ["bias_field"] = JsonSerializer.SerializeToNode(options.BiasField),
        ["registration"] = JsonSerializer.SerializeToNode(options.Registration with { Seed = options.Seed }),
        ["module_version"] = typeof(T1LinearPipeline).Assembly.GetName().Version?.ToString(),
    };

    private static string Key(JsonObject parameters, string source)
    {
        using var stream = File.OpenRead(source);
        var text = parameters.ToJsonString() + "\n" + Convert.ToHexStringLower(SHA256.HashData(stream));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static JsonObject Sidecar(JsonObject parameters, string key, T1LinearInput input, ReferenceTemplate template, RegistrationResult registration,
        double correlation, BiasFieldResult corrected, double seconds)
    {
        var field = corrected.Field.Values;
        return new JsonObject
        {
            ["GeneratedBy"] = new JsonObject
            {
                ["Name"] = GeneratorName,
                ["Version"] = typeof(T1LinearPipeline).Assembly.GetName().Version?.ToString(),
                ["LibTorchVersion"] = TorchSharp.torch.__version__,
            },
            ["Source"] = Path.GetFullPath(input.Path),
            ["Template"] = new JsonObject { ["Path"] = template.Path, ["Sha256"] = template.Sha256, ["ClinicaGrid"] = template.IsClinicaGrid },
            ["Parameters"] = parameters.DeepClone(),
            ["ParametersKey"] = key,
            ["Transform"] = new JsonArray(registration.Transform.Rows.Select(row => (JsonNode)new JsonArray(row.Select(v => (JsonNode?)v).ToArray())).ToArray()),
            ["TransformCentre"] = new JsonArray(registration.Centre.Select(v => (JsonNode?)v).ToArray()),
            ["Quality"] = new JsonObject
            {
                ["mutual_information"] = Math.Round(registration.MutualInformation, 5),
                ["template_correlation"] = Math.Round(correlation, 5),
                ["bias_field_minimum"] = Math.Round(field.Min(), 4),
                ["bias_field_maximum"] = Math.Round(field.Max(), 4),
                ["bias_field_iterations"] = corrected.Iterations,
            },
            ["DurationSeconds"] = seconds,
        };
    }

    /// <summary>
    /// A CAPS is a BIDS derivative: its description says what made it, written once by whichever process comes first
    /// (under the CAPS' lock) and never replaced. An existing one is kept whatever it says (Clinica's own, another
    /// tool's): it records no setting of a run, which each image's sidecar records instead.
    /// </summary>
    private static void WriteDatasetDescription(string caps)
    {
        var path = Path.Combine(caps, "dataset_description.json");
        if (File.Exists(path))
        {
            return;
        }
        AtomicFile.WriteAllText(path, new JsonObject
        {
            ["Name"] = "CAPS",
            ["BIDSVersion"] = "1.8.0",
            ["DatasetType"] = "derivative",
            ["GeneratedBy"] = new JsonArray(new JsonObject { ["Name"] = GeneratorName }),
        }.ToJsonString(Indented) + "\n");
    }
}
