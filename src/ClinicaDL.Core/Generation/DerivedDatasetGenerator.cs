using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicaDL.Core.Datasets;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Generation;

/// <summary>
/// ClinicaDL's simple generators, with its subject names and layouts: Trivial (hemisphere atrophy of real
/// images: AD loses intensity in the left hemisphere, CN in the right), Random (one image plus Gaussian noise)
/// and SheppLogan (phantom slices whose regions shrink by subtype). Each writes a CAPS, data.tsv (ClinicaDL's
/// columns), labels.tsv and synthetic.json, whole or not at all.
/// </summary>
public static class DerivedDatasetGenerator
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static IReadOnlyList<SyntheticSession> Trivial(DerivedKindOptions options, bool overwrite)
    {
        var sources = Sources(options, needed: (options.ParticipantCount + 1) / 2);
        if (options.AtrophyPercent is < 0 or > 100)
        {
            throw new SyntheticDataException($"The atrophy percent is between 0 and 100; got {options.AtrophyPercent}.");
        }
        var random = new Random(options.Seed);
        return Write(options, overwrite, "Trivial", Enumerable.Range(0, options.ParticipantCount).Select(i =>
        {
            var source = sources[i / 2];
            var diagnosis = i % 2 == 0 ? "AD" : "CN";
            var image = NiftiReader.Read(source.Path);
            var values = image.GetData().Select(v => (float)v).ToArray();
            // v <- v - (10 n + atrophy%) v / 100 inside the hemisphere, n ~ |N(0, 0.1)| (ClinicaDL's im_loss_roi_gaussian_distribution).
            var loss = (10 * Math.Abs(0.1 * PhantomAnatomy.Gaussian(random)) + options.AtrophyPercent) / 100;
            var left = diagnosis == "AD";
            int[] shape = [.. image.Shape];
            for (var index = 0; index < values.Length; index++)
            {
                var i0 = index % shape[0];
                var j0 = index / shape[0] % shape[1];
                var k0 = index / (shape[0] * shape[1]);
                var x = image.Affine[0, 0] * i0 + image.Affine[0, 1] * j0 + image.Affine[0, 2] * k0 + image.Affine[0, 3];
                if (x < 0 == left)
                {
                    values[index] -= (float)(loss * values[index]);
                }
            }
            var participant = $"sub-TRIV{i}";
            return new Drawn(participant, source.SessionId, diagnosis, values, shape, image.Affine,
                Path.Combine("subjects", participant, source.SessionId, "t1_linear", $"{participant}_{source.SessionId}{Rest(source)}"));
        }).ToList(), options);
    }

    public static IReadOnlyList<SyntheticSession> RandomNoise(DerivedKindOptions options, bool overwrite)
    {
        var source = Sources(options, needed: 1)[0];
        var image = NiftiReader.Read(source.Path);
        var data = image.GetData();
        var random = new Random(options.Seed);
        return Write(options, overwrite, "Random", Enumerable.Range(0, 2 * options.ParticipantCount).Select(i =>
        {
            var values = data.Select(v => (float)(v + options.NoiseMean + options.NoiseStd * PhantomAnatomy.Gaussian(random))).ToArray();
            var participant = $"sub-RAND{i}";
            return new Drawn(participant, "ses-M000", i < options.ParticipantCount ? "AD" : "CN", values, [.. image.Shape], image.Affine,
                Path.Combine("subjects", participant, "ses-M000", "t1_linear", $"{participant}_ses-M000{Rest(source)}"));
        }).ToList(), options);
    }

    public static IReadOnlyList<SyntheticSession> SheppLogan(DerivedKindOptions options, bool overwrite)
    {
        if (options.ImageSize is < 16 or > 512)
        {
            throw new SyntheticDataException($"The Shepp-Logan image size is 16 to 512 pixels; got {options.ImageSize}.");
        }
        foreach (var (name, distribution) in new[] { ("CN", options.CnSubtypes), ("AD", options.AdSubtypes) })
        {
            if (distribution.Length != 3 || distribution.Any(p => p < 0) || Math.Abs(distribution.Sum() - 1) > 1e-6)
            {
                throw new SyntheticDataException($"The {name} subtype distribution must be 3 probabilities summing to 1; got {string.Join(", ", distribution)}.");
            }
        }
        var random = new Random(options.Seed);
        var drawn = new List<Drawn>();
        foreach (var (label, diagnosis, distribution) in new[] { (0, "AD", options.AdSubtypes), (1, "CN", options.CnSubtypes) })
        {
            for (var i = 0; i < options.ParticipantCount; i++)
            {
                var draw = random.NextDouble();
                var subtype = draw < distribution[0] ? 0 : draw < distribution[0] + distribution[1] ? 1 : 2;
                var (values, shape) = SheppLoganPhantom.Draw(options.ImageSize, subtype, options.Smoothing, options.ThreeDimensional, random);
                var participant = $"sub-CLNC{label}{i:D4}";
                drawn.Add(new Drawn(participant, "ses-M000", diagnosis, values, shape, AffineMatrix.Identity,
                    Path.Combine("subjects", participant, "ses-M000", "shepplogan", $"{participant}_ses-M000_space-SheppLogan_phantom.nii.gz"), subtype));
            }
        }
        return Write(options, overwrite, "SheppLogan", drawn, options);
    }

    private sealed record Drawn(string Participant, string Session, string Diagnosis, float[] Values, int[] Shape, AffineMatrix Affine, string RelativePath, int? Subtype = null);

    private static List<CapsImage> Sources(DerivedKindOptions options, int needed)
    {
        if (options.CapsPath is null)
        {
            throw new SyntheticDataException("This kind draws from an existing CAPS: give -CapsPath.");
        }
        var query = new CapsQuery { Preprocessing = "t1-linear" };
        var images = CapsDataset.Find(options.CapsPath, query)
            .GroupBy(i => i.ParticipantId).Select(g => g.First()).ToList();
        if (images.Count == 0)
        {
            throw new SyntheticDataException($"'{options.CapsPath}' holds no t1-linear image ({CapsDataset.SearchPattern(query)}).");
        }
        if (options.ParticipantCount < 1 || images.Count < needed)
        {
            throw new SyntheticDataException($"{options.ParticipantCount} image(s) per class need {needed} source image(s); '{options.CapsPath}' has {images.Count}.");
        }
        return images;
    }

    /// <summary>The source name after its participant and session (e.g. _T1w_space-..._T1w.nii.gz).</summary>
    private static string Rest(CapsImage source) => Path.GetFileName(source.Path)[($"{source.ParticipantId}_{source.SessionId}").Length..];

    private static IReadOnlyList<SyntheticSession> Write(DerivedKindOptions options, bool overwrite, string kind, List<Drawn> drawn, DerivedKindOptions parameters)
    {
        using var folder = new StagedOutput(options.OutputPath, OutputKind.SyntheticDataset, overwrite);
        var sessions = new List<SyntheticSession>();
        foreach (var item in drawn)
        {
            var path = Path.Combine(folder.Staging, item.RelativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            NiftiWriter.Write(path, item.Shape, item.Values, item.Affine, new NiftiWriteOptions { Compression = System.IO.Compression.CompressionLevel.Fastest });
            sessions.Add(new SyntheticSession
            {
                ParticipantId = item.Participant, SessionId = item.Session, Diagnosis = item.Diagnosis, Age = 60, Sex = "F", AtrophySeverity = double.NaN,
                BidsPath = "", CapsPath = folder.Final(path),
            });
        }
        var subtypes = drawn.Any(d => d.Subtype is not null);
        string[] columns = subtypes ? ["participant_id", "session_id", "diagnosis", "subtype"] : ["participant_id", "session_id", "diagnosis", "age_bl", "sex"];
        var table = new TsvTable(columns, drawn.OrderBy(d => d.Participant, StringComparer.Ordinal).Select(d => subtypes
            ? new string?[] { d.Participant, d.Session, d.Diagnosis, d.Subtype!.Value.ToString(CultureInfo.InvariantCulture) }
            : [d.Participant, d.Session, d.Diagnosis, "60", "F"]));
        table.Write(Path.Combine(folder.Staging, "data.tsv"));
        table.Write(Path.Combine(folder.Staging, "labels.tsv"));
        var json = JsonSerializer.SerializeToNode(parameters)!.AsObject();
        json.Remove(nameof(DerivedKindOptions.OutputPath));
        json["kind"] = kind;
        File.WriteAllText(Path.Combine(folder.Staging, "synthetic.json"), json.ToJsonString(Indented) + "\n");
        folder.Commit();
        return sessions;
    }
}
