using System.Globalization;
using ClinicaDL.Core.Extraction;
using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Training;

/// <summary>
/// The images of a run as ready tensors [1, X, Y, Z] (ClinicaDL's layout): NaN set to 0, min-max normalised per
/// image when asked, reduced as ClinicaDL's SizeReduction when asked; in patch, slice and ROI modes the images stay
/// as they are and each batch cuts its parts from them (<see cref="PartSampler"/>). An image whose extracted tensor
/// (Export-ClinicaDLTensor) still matches its bytes is read from that file for each batch, so a cohort larger
/// than memory trains; any other image is decoded once, in parallel, and kept in memory. How much memory that
/// takes is said before decoding, and refused when it cannot fit.
/// </summary>
public sealed class ImageTensors : IDisposable
{
    private readonly Dictionary<string, Tensor> _inMemory = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _onDisk = new(StringComparer.Ordinal);
    private readonly TrainingConfig _config;

    /// <summary>
    /// The libtorch thread count of the thread that builds this (the run's), for the pool threads that decode: a pool
    /// thread's own count is whatever the last work it did left there (see <see cref="TorchRuntime.UseThreads"/>).
    /// </summary>
    private readonly int _torchThreads = get_num_threads();

    /// <summary>Samples are whole images (normalised and reduced here), not parts cut from them.</summary>
    private readonly bool _wholeImages;

    public ImageTensors(IEnumerable<string> paths, TrainingConfig config, int threads, CancellationToken cancellation, Action<string>? log = null)
    {
        _config = config;
        var decomposition = config.Decomposition();
        _wholeImages = decomposition is null;
        var unique = paths.Distinct(StringComparer.Ordinal).ToList();
        var cached = new string?[unique.Count];
        Parallel.For(0, unique.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads), CancellationToken = cancellation },
            i => cached[i] = ImageTensorCache.Current(unique[i], config.Preprocessing) ?? ImageTensorCache.ClinicaDlTensor(unique[i], config.Preprocessing));
        var fromClinicaDl = cached.Count(c => c is not null && ImageTensorFile.IsClinicaDl(c));
        if (fromClinicaDl > 0)
        {
            log?.Invoke($"{fromClinicaDl} image(s) are read from the .pt tensors of ClinicaDL's prepare-data (trusted as ClinicaDL trusts them: delete them to decode the NIfTI images instead).");
        }
        var toDecode = new List<string>();
        if (decomposition is not null)
        {
            // The parts are checked against the first image's shape before any image is decoded.
            Parts = NewPartSampler(decomposition, cached[0] is { } first ? [.. ImageTensorFile.ReadShape(first)[1..].Select(d => (int)d)]
                : TensorExtractor.ImageShape(NiftiReader.ReadHeader(unique[0]).Header.Shape, unique[0]), unique[0], config);
        }
        for (var i = 0; i < unique.Count; i++)
        {
            if (cached[i] is { } tensorPath)
            {
                _onDisk[unique[i]] = tensorPath;
            }
            else
            {
                toDecode.Add(unique[i]);
            }
        }
        StateMemory(toDecode, log);
        var prepared = new Tensor[toDecode.Count];
        Parallel.For(0, toDecode.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads), CancellationToken = cancellation }, i =>
        {
            using var runThreads = TorchRuntime.UseThreads(_torchThreads);
            var values = NiftiReader.ReadSingle(toDecode[i], out var header);
            if (header.Shape.Length != 3)
            {
                throw new InvalidNiftiException(toDecode[i], $"training in image mode needs 3D images; this one has shape {string.Join("x", header.Shape)}");
            }
            var shape = header.Shape;
            // The NIfTI data run x fastest: as a C-order tensor that is [Z, Y, X]; permuted to ClinicaDL's [X, Y, Z].
            using var volume = tensor(values, [shape[2], shape[1], shape[0]]);
            using var ordered = volume.permute(2, 1, 0);
            prepared[i] = Prepare(ordered, config, _wholeImages);
        });
        for (var i = 0; i < toDecode.Count; i++)
        {
            _inMemory[toDecode[i]] = prepared[i];
        }
        if (!_wholeImages)
        {
            HoldExtractedImagesForParts(threads, cancellation, log);
        }
        // The decoded arrays (one image's worth each, plus the decompression buffers) are now garbage on the large
        // object heap, and training allocates almost nothing managed that would make the GC reclaim them: at
        // 169x208x179 they held about 0.5 GB of resident memory through the whole run.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var shapes = _inMemory.Select(t => (Path: t.Key, Shape: t.Value.shape))
            .Concat(_onDisk.Select(d => (Path: d.Key, Shape: PreparedShape(ImageTensorFile.ReadShape(d.Value)[1..]))))
            .ToList();
        var imageShape = shapes[0].Shape;
        var other = shapes.FirstOrDefault(t => !t.Shape.SequenceEqual(imageShape));
        if (other.Path is not null)
        {
            throw new InvalidNiftiException(other.Path, $"its shape {string.Join("x", other.Shape)} differs from the other images' {string.Join("x", imageShape)}");
        }
        SampleShape = Parts?.PartShape ?? imageShape;
    }

    private static PartSampler NewPartSampler(Extraction.ExtractionOptions decomposition, int[] volume, string firstImage, TrainingConfig config)
    {
        var cropped = Path.GetFileName(firstImage).Contains("_desc-Crop_", StringComparison.OrdinalIgnoreCase);
        try
        {
            var masks = TensorExtractor.ValidateAndFindMasks(decomposition, config.CapsDirectory ?? "", volume, cropped);
            return new PartSampler(decomposition, volume, masks, config.Normalize);
        }
        catch (ArgumentException error)
        {
            throw new ArgumentException($"The extraction '{decomposition.ExtractJson}' does not fit these {string.Join("x", volume)} images: {error.Message}", error);
        }
    }

    /// <summary>The shape of one sample (an image or one of its parts), channels first.</summary>
    public long[] SampleShape { get; }

    /// <summary>How samples are cut from the images; null when the samples are the whole images.</summary>
    public PartSampler? Parts { get; }

    /// <summary>Samples per image: 1, or the parts per image.</summary>
    public int PartsPerImage => Parts?.Count ?? 1;

    /// <summary>Bytes held in memory.</summary>
    public long Bytes => _inMemory.Values.Sum(t => t.numel() * 4);

    /// <summary>Images read from their extracted tensor file for each batch instead of being held in memory.</summary>
    public int OnDiskCount => _onDisk.Count;

    /// <summary>
    /// A batch [B, C, spatial...] of the given samples, each an image or its part (the caller disposes it, e.g.
    /// with a dispose scope). An image read from disk is read once per batch, however many of its parts the batch holds.
    /// </summary>
    public Tensor Batch(IEnumerable<LabeledImage> samples)
    {
        using var scope = NewDisposeScope();
        var read = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        Tensor Image(string path) => _inMemory.TryGetValue(path, out var ready) ? ready
            : read.TryGetValue(path, out var loaded) ? loaded : read[path] = FromDisk(_onDisk[path]);
        var tensors = samples.Select(s => Parts is null ? Image(s.ImagePath) : Parts.Extract(Image(s.ImagePath), s.Part)).ToArray();
        return stack(tensors).MoveToOuterDisposeScope();
    }

    /// <summary>Every sample of the given images: the images themselves, or each of their parts.</summary>
    public List<LabeledImage> Samples(IEnumerable<LabeledImage> images, int? onlyPart = null) => Parts is null
        ? images.ToList()
        : images.SelectMany(i => Enumerable.Range(0, Parts.Count).Where(p => onlyPart is null || p == onlyPart).Select(p => i with { Part = p })).ToList();

    public void Dispose()
    {
        foreach (var tensor in _inMemory.Values)
        {
            tensor.Dispose();
        }
        _inMemory.Clear();
        Parts?.Dispose();
    }

    private Tensor FromDisk(string tensorPath)
    {
        using var read = ImageTensorFile.Read(tensorPath);
        using var volume = read.squeeze(0);
        return Prepare(volume, _config, _wholeImages);
    }

    /// <summary>
    /// Parts are cut from whole images, and a batch's parts come from many images: read from their files at every
    /// batch, each image would be read up to once per part per epoch (36 times with ClinicaDL's default patches).
    /// When the extracted images fit in half of this process's memory they are read once and held instead.
    /// </summary>
    private void HoldExtractedImagesForParts(int threads, CancellationToken cancellation, Action<string>? log)
    {
        if (_onDisk.Count == 0)
        {
            return;
        }
        var onDisk = _onDisk.ToList();
        var bytes = onDisk.Sum(d => ImageTensorFile.ReadShape(d.Value).Aggregate(1L, (a, b) => a * b) * sizeof(float)) + Bytes;
        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (bytes > 0.5 * available)
        {
            log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"The {onDisk.Count} extracted images ({bytes / 1e9:F1} GB) exceed half of this process's {available / 1e9:F1} GB: each batch reads the images its parts come from."));
            return;
        }
        var loaded = new Tensor[onDisk.Count];
        Parallel.For(0, onDisk.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads), CancellationToken = cancellation },
            i =>
            {
                using var runThreads = TorchRuntime.UseThreads(_torchThreads);
                loaded[i] = FromDisk(onDisk[i].Value);
            });
        for (var i = 0; i < onDisk.Count; i++)
        {
            _inMemory[onDisk[i].Key] = loaded[i];
        }
        _onDisk.Clear();
        log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"The {onDisk.Count} extracted images are held in memory ({bytes / 1e6:F0} MB) to cut their parts from."));
    }

    private long[] PreparedShape(long[] volume) => _config.SizeReduction
        ? SizeReductionRanges(_config.SizeReductionFactor).Select(r => (r.Stop - r.Start + _config.SizeReductionFactor - 1) / _config.SizeReductionFactor).Prepend(1L).ToArray()
        : [1, .. volume];

    private void StateMemory(List<string> toDecode, Action<string>? log)
    {
        if (_onDisk.Count > 0 && _wholeImages)
        {
            log?.Invoke($"{_onDisk.Count} image(s) are read from their extracted tensors (Export-ClinicaDLTensor) for each batch.");
        }
        if (toDecode.Count == 0)
        {
            return;
        }
        var voxels = NiftiReader.ReadHeader(toDecode[0]).Header.Shape.Aggregate(1L, (a, b) => a * b);
        if (_config.SizeReduction)
        {
            voxels /= (long)Math.Pow(_config.SizeReductionFactor, 3);
        }
        var bytes = toDecode.Count * voxels * sizeof(float);
        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        log?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"Decoding {toDecode.Count} images into memory: about {bytes / 1e6:F0} MB as float32, plus the network's working memory; {available / 1e9:F1} GB are available to this process."));
        if (bytes > 0.8 * available)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The {toDecode.Count} images would take about {bytes / 1e9:F1} GB in memory; this process may use {available / 1e9:F1} GB. Extract them once with Export-ClinicaDLTensor -Mode Image (training then reads them from disk), use -SizeReduction, or train on fewer images."));
        }
    }

    /// <summary>An [X, Y, Z] volume to a ready [1, X, Y, Z] sample; images cut into parts are only cleared of NaN (parts are normalised one by one).</summary>
    private static Tensor Prepare(Tensor volume, TrainingConfig config, bool wholeImage)
    {
        using var scope = NewDisposeScope();
        var image = nan_to_num(volume.contiguous(), 0.0);
        if (!wholeImage)
        {
            return image.unsqueeze(0).contiguous().MoveToOuterDisposeScope();
        }
        if (config.Normalize)
        {
            var min = image.min();
            var range = image.max() - min;
            using var tiny = 1e-12.ToScalar();
            image = (image - min) / range.clamp_min(tiny);
        }
        if (config.SizeReduction)
        {
            image = SizeReduction(image, config.SizeReductionFactor);
        }
        return image.unsqueeze(0).contiguous().MoveToOuterDisposeScope();
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
