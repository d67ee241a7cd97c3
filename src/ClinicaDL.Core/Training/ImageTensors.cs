using ClinicaDL.Core.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Training;

/// <summary>
/// Every image of a run decoded once, in parallel, and kept in memory as ready tensors [1, X, Y, Z] (ClinicaDL's
/// layout): NaN set to 0, min-max normalised per image when asked, reduced as ClinicaDL's SizeReduction when asked.
/// Batches are stacked from these without touching the files again.
/// </summary>
public sealed class ImageTensors : IDisposable
{
    private readonly Dictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);

    public ImageTensors(IEnumerable<string> paths, TrainingConfig config, int threads, CancellationToken cancellation)
    {
        var unique = paths.Distinct(StringComparer.Ordinal).ToList();
        var prepared = new Tensor[unique.Count];
        Parallel.For(0, unique.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads), CancellationToken = cancellation }, i =>
        {
            var values = NiftiReader.ReadSingle(unique[i], out var header);
            if (header.Shape.Length != 3)
            {
                throw new InvalidNiftiException(unique[i], $"training in image mode needs 3D images; this one has shape {string.Join("x", header.Shape)}");
            }
            prepared[i] = Prepare(values, header.Shape.Select(s => (int)s).ToArray(), config);
        });
        for (var i = 0; i < unique.Count; i++)
        {
            _tensors[unique[i]] = prepared[i];
        }
        // The decoded arrays (one image's worth each, plus the decompression buffers) are now garbage on the large
        // object heap, and training allocates almost nothing managed that would make the GC reclaim them: at
        // 169x208x179 they held about 0.5 GB of resident memory through the whole run.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        SampleShape = _tensors.Values.First().shape;
        var other = _tensors.FirstOrDefault(t => !t.Value.shape.SequenceEqual(SampleShape));
        if (other.Value is not null)
        {
            throw new InvalidNiftiException(other.Key, $"its shape {string.Join("x", other.Value.shape)} differs from the other images' {string.Join("x", SampleShape)}");
        }
    }

    /// <summary>The shape of one sample, channels first.</summary>
    public long[] SampleShape { get; }

    /// <summary>Bytes held in memory.</summary>
    public long Bytes => _tensors.Values.Sum(t => t.numel() * 4);

    /// <summary>A batch [B, 1, X, Y, Z] of the given images (the caller disposes it, e.g. with a dispose scope).</summary>
    public Tensor Batch(IEnumerable<string> paths) => stack(paths.Select(p => _tensors[p]).ToArray());

    public void Dispose()
    {
        foreach (var tensor in _tensors.Values)
        {
            tensor.Dispose();
        }
        _tensors.Clear();
    }

    private static Tensor Prepare(float[] values, int[] shape, TrainingConfig config)
    {
        using var scope = NewDisposeScope();
        // The NIfTI data run x fastest: as a C-order tensor that is [Z, Y, X]; permuted to ClinicaDL's [X, Y, Z].
        var image = tensor(values, [shape[2], shape[1], shape[0]]).permute(2, 1, 0).contiguous();
        image = nan_to_num(image, 0.0);
        if (config.Normalize)
        {
            var min = image.min();
            var range = image.max() - min;
            image = (image - min) / range.clamp_min(1e-12);
        }
        if (config.SizeReduction)
        {
            image = SizeReduction(image, config.SizeReductionFactor);
        }
        return image.unsqueeze(0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The affine of a sample tensor's voxel grid, from its source image's: the same unless SizeReduction kept
    /// every factor-th voxel from a start (then voxel i of the sample is voxel start + factor * i of the source).
    /// </summary>
    public static AffineMatrix SampleAffine(AffineMatrix source, TrainingConfig config)
    {
        if (!config.SizeReduction)
        {
            return source;
        }
        var ranges = SizeReductionRanges(config.SizeReductionFactor);
        var factor = config.SizeReductionFactor;
        var values = source.ToArray();
        var result = new double[4, 4];
        for (var row = 0; row < 4; row++)
        {
            for (var axis = 0; axis < 3; axis++)
            {
                result[row, axis] = values[row, axis] * factor;
            }
            result[row, 3] = values[row, 3] + Enumerable.Range(0, 3).Sum(axis => values[row, axis] * ranges[axis].Start);
        }
        return new AffineMatrix(result);
    }

    /// <summary>ClinicaDL's SizeReduction, defined for 169x208x179 images only.</summary>
    private static Tensor SizeReduction(Tensor image, int factor)
    {
        if (!image.shape.SequenceEqual(new long[] { 169, 208, 179 }))
        {
            throw new ArgumentException($"Size reduction is defined for 169x208x179 images (Clinica's cropped t1-linear); these are {string.Join("x", image.shape)}.");
        }
        var ranges = SizeReductionRanges(factor);
        return image[TensorIndex.Slice(ranges[0].Start, ranges[0].Stop, factor), TensorIndex.Slice(ranges[1].Start, ranges[1].Stop, factor), TensorIndex.Slice(ranges[2].Start, ranges[2].Stop, factor)];
    }

    private static (long Start, long Stop)[] SizeReductionRanges(int factor) => factor switch
    {
        2 => [(4, 164), (8, 200), (8, 168)],
        3 => [(0, 168), (8, 200), (4, 172)],
        4 => [(4, 164), (8, 200), (8, 168)],
        5 => [(4, 164), (0, 200), (8, 168)],
        _ => throw new ArgumentException($"The size reduction factor is 2, 3, 4 or 5; got {factor}."),
    };
}
