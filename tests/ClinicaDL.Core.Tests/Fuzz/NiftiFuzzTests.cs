using System.Diagnostics;
using System.IO.Compression;
using ClinicaDL.Core.Imaging;

namespace ClinicaDL.Core.Tests.Fuzz;

/// <summary>
/// Seeded mutants of the reference images in ../shared/testdata/nifti, each read three ways (Read, ReadSingle,
/// ReadHeader then GetData). Asserts that nothing but <see cref="InvalidNiftiException"/> escapes, and that no
/// read allocates more than a small multiple of what the file really holds: an allocation driven by a header
/// size the file cannot back shows up as a read that allocates far more than the file's decompressed size.
/// </summary>
public sealed class NiftiFuzzTests : IDisposable
{
    private const int Mutants = 1500;
    private const long MaxSourceBytes = 300_000;

    /// <summary>sizeof_hdr, dim, datatype/bitpix, vox_offset, scl, xform codes, magic, NIfTI-2 dim/vox_offset, extension flag and first esize.</summary>
    private static readonly int[] HeaderFields =
        [0, 4, 12, 14, 16, 24, 40, 42, 44, 46, 48, 70, 72, 108, 112, 116, 168, 252, 254, 344, 348, 352, 356, 540, 544];

    private readonly string _folder = Directory.CreateTempSubdirectory("clinicadl-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [SkippableFact]
    public void Mutants_of_the_reference_images_fail_only_as_invalid_images_and_allocate_for_what_they_hold()
    {
        var sources = Directory.EnumerateFiles(TestData.Path("nifti"), "*.nii*", SearchOption.AllDirectories)
            .Where(f => new FileInfo(f).Length <= MaxSourceBytes)
            .Order(StringComparer.Ordinal)
            .Select(f => (Name: Path.GetRelativePath(TestData.Path("nifti"), f), Bytes: File.ReadAllBytes(f)))
            .ToList();
        Skip.If(sources.Count == 0, "no reference image small enough to fuzz");
        var failures = new List<string>();
        var watch = Stopwatch.StartNew();
        var largest = (Allocated: 0L, Holds: 0L, Case: "");
        for (var seed = 0; seed < Mutants; seed++)
        {
            var (name, original) = sources[seed % sources.Count];
            var mutator = new Mutator(seed, HeaderFields);
            var compressed = original is [0x1f, 0x8b, ..];
            // Mutating the decompressed bytes reaches the header of a .nii.gz; mutating the gzip bytes tests the gzip checks.
            var (content, description) = compressed && seed % 3 != 0
                ? Recompressed(mutator.Mutate(Gunzip(original)))
                : mutator.Mutate(original);
            var path = Path.Combine(_folder, $"mutant-{seed}{(name.EndsWith(".gz", StringComparison.Ordinal) ? ".nii.gz" : ".nii")}");
            File.WriteAllBytes(path, content);
            var holds = Math.Max(content.Length, DecompressedLength(content));
            foreach (var (how, read) in Reads(path))
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    read();
                }
                catch (InvalidNiftiException)
                {
                }
                catch (Exception error)
                {
                    failures.Add($"seed {seed} ({name}: {description}), {how}: {error.GetType().Name}: {error.Message}");
                }
                var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                // float64 values of a uint8 image are 8x its bytes, and growing buffers may double once more.
                var bound = 16 * holds + (1 << 20);
                if (allocated > bound)
                {
                    failures.Add($"seed {seed} ({name}: {description}), {how}: allocated {allocated} bytes for a file holding {holds}");
                }
                if (allocated > largest.Allocated)
                {
                    largest = (allocated, holds, $"seed {seed}, {how}");
                }
            }
            File.Delete(path);
        }
        Assert.True(failures.Count == 0, $"{failures.Count} failure(s) among {Mutants} mutants:\n{string.Join("\n", failures.Take(20))}");
        Console.WriteLine($"nifti fuzz: {Mutants} mutants x 3 reads in {watch.Elapsed.TotalSeconds:F1} s; largest allocation of one read: {largest.Allocated} bytes, for a file holding {largest.Holds} ({largest.Case})");
    }

    private static IEnumerable<(string How, Action Read)> Reads(string path)
    {
        yield return ("Read", () => NiftiReader.Read(path));
        yield return ("ReadSingle", () => NiftiReader.ReadSingle(path, out _));
        yield return ("ReadHeader+GetData", () =>
        {
            var image = NiftiReader.ReadHeader(path);
            if (NiftiDataTypes.IsScalar(image.Header.VoxelType))
            {
                image.GetData();
            }
        });
    }

    private static byte[] Gunzip(byte[] content)
    {
        using var gzip = new GZipStream(new MemoryStream(content), CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    private static (byte[], string) Recompressed((byte[] Bytes, string Description) mutant)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(mutant.Bytes);
        }
        return (output.ToArray(), mutant.Description + " (decompressed, then recompressed)");
    }

    /// <summary>How many bytes a gzip mutant decompresses to, as far as .NET's lenient reader goes (0 for plain files).</summary>
    private static long DecompressedLength(byte[] content)
    {
        if (content is not [0x1f, 0x8b, ..])
        {
            return 0;
        }
        var total = 0L;
        var buffer = new byte[1 << 16];
        try
        {
            using var gzip = new GZipStream(new MemoryStream(content), CompressionMode.Decompress);
            for (int read; (read = gzip.Read(buffer)) > 0 && total < 1L << 30;)
            {
                total += read;
            }
        }
        catch (InvalidDataException)
        {
            // A corrupt stream holds what was decoded before the corruption.
        }
        return total;
    }
}
