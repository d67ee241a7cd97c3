using ClinicaDL.Core.Extraction;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Training;

/// <summary>
/// Cuts part p of an image tensor [1, X, Y, Z] as ClinicaDL's patch, slice and ROI datasets do on the fly: a
/// patch is a view narrowed at its corner (ClinicaDL's unfold order), a slice is the image selected at its absolute
/// index along the slice direction (three identical channels in rgb mode), a region is the image times its 0/1
/// mask, cropped to the mask's bounding box unless the extraction kept the whole image. As in ClinicaDL, min-max
/// normalisation applies to each part, not to the image it came from.
/// </summary>
public sealed class PartSampler : IDisposable
{
    private readonly ExtractionOptions _options;
    private readonly IReadOnlyList<int[]> _corners = [];
    private readonly IReadOnlyList<int> _slices = [];
    private readonly List<(long[] Low, long[] Size, Tensor Mask)> _regions = [];
    private readonly bool _normalize;

    public PartSampler(ExtractionOptions options, int[] imageShape, IReadOnlyList<RoiMask> masks, bool normalize)
    {
        _options = options;
        _normalize = normalize;
        switch (options.Mode)
        {
            case ExtractionMode.Patch:
                _corners = PartGeometry.PatchCorners(imageShape, options.PatchSize, options.StrideSize);
                PartShape = [1, options.PatchSize, options.PatchSize, options.PatchSize];
                break;
            case ExtractionMode.Slice:
                _slices = PartGeometry.SliceIndices(imageShape, options.SliceDirection, options.DiscardedSlicesStart, options.DiscardedSlicesEnd);
                long[] plane = options.SliceDirection switch { 0 => [imageShape[1], imageShape[2]], 1 => [imageShape[0], imageShape[2]], _ => [imageShape[0], imageShape[1]] };
                PartShape = [options.SliceMode == "rgb" ? 3 : 1, .. plane];
                break;
            case ExtractionMode.Roi:
                foreach (var mask in masks)
                {
                    _regions.Add(Region(mask, imageShape, options.RoiUncropOutput));
                }
                if (_regions.Select(r => string.Join("x", r.Size)).Distinct().Count() > 1)
                {
                    // One network takes every region, so they must have one shape (ClinicaDL fails later, in the network).
                    throw new ArgumentException(
                        $"The regions {string.Join(", ", masks.Select(m => $"{m.Name} ({string.Join("x", m.High.Zip(m.Low, (h, l) => h - l + 1))})"))} have bounding boxes of different sizes; one network needs one input shape: use masks with boxes of one size, or an extraction with uncropped_roi.");
                }
                PartShape = [1, .. _regions[0].Size];
                break;
            default:
                throw new ArgumentException("The whole-image mode has no parts.");
        }
    }

    public ExtractionMode Mode => _options.Mode;

    /// <summary>ClinicaDL's name of the mode in file and column names: patch, slice or roi.</summary>
    public string ModeName => Mode.ToString().ToLowerInvariant();

    /// <summary>Parts per image.</summary>
    public int Count => Mode switch { ExtractionMode.Patch => _corners.Count, ExtractionMode.Slice => _slices.Count, _ => _regions.Count };

    /// <summary>The shape of one part, channels first: what the network takes.</summary>
    public long[] PartShape { get; }

    /// <summary>The <c>&lt;mode&gt;_id</c> ClinicaDL writes for part p: the absolute slice index for slices, p otherwise.</summary>
    public int PartId(int part) => Mode == ExtractionMode.Slice ? _slices[part] : part;

    /// <summary>Part <paramref name="part"/> of an image [1, X, Y, Z], as a new tensor.</summary>
    public Tensor Extract(Tensor image, int part)
    {
        using var scope = NewDisposeScope();
        var cut = Mode switch
        {
            ExtractionMode.Patch => image.narrow(1, _corners[part][0], _options.PatchSize).narrow(2, _corners[part][1], _options.PatchSize).narrow(3, _corners[part][2], _options.PatchSize),
            ExtractionMode.Slice => Slice(image, part),
            _ => image.narrow(1, _regions[part].Low[0], _regions[part].Size[0]).narrow(2, _regions[part].Low[1], _regions[part].Size[1])
                .narrow(3, _regions[part].Low[2], _regions[part].Size[2]) * _regions[part].Mask,
        };
        if (_normalize)
        {
            var min = cut.min();
            using var tiny = 1e-12.ToScalar();
            cut = (cut - min) / (cut.max() - min).clamp_min(tiny);
        }
        return cut.contiguous().MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        foreach (var region in _regions)
        {
            region.Mask.Dispose();
        }
    }

    private Tensor Slice(Tensor image, int part)
    {
        var slice = image.select(_options.SliceDirection + 1, _slices[part]);
        return _options.SliceMode == "rgb" ? slice.expand(3, slice.shape[1], slice.shape[2]) : slice;
    }

    /// <summary>A mask as a [1, box] float tensor in the images' [X, Y, Z] order, with where its box starts.</summary>
    private static (long[] Low, long[] Size, Tensor Mask) Region(RoiMask mask, int[] imageShape, bool wholeImage)
    {
        using var scope = NewDisposeScope();
        // The mask's voxels run x fastest (NIfTI order): as a C-order tensor that is [Z, Y, X].
        var inside = tensor(mask.Inside.Select(v => v ? 1f : 0f).ToArray()).reshape(imageShape[2], imageShape[1], imageShape[0]).permute(2, 1, 0);
        long[] low = wholeImage ? [0, 0, 0] : [mask.Low[0], mask.Low[1], mask.Low[2]];
        long[] size = wholeImage ? [imageShape[0], imageShape[1], imageShape[2]] : [mask.High[0] - mask.Low[0] + 1, mask.High[1] - mask.Low[1] + 1, mask.High[2] - mask.Low[2] + 1];
        var box = inside.narrow(0, low[0], size[0]).narrow(1, low[1], size[1]).narrow(2, low[2], size[2]).unsqueeze(0).contiguous();
        return (low, size, box.MoveToOuterDisposeScope());
    }
}
