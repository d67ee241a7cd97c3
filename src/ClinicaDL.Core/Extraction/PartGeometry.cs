namespace ClinicaDL.Core.Extraction;

/// <summary>
/// Where the parts of an image are, with ClinicaDL's formulas: patches by <c>unfold</c> along x, y then z (index
/// in C order over the grid, leftover edge voxels ignored, Π floor((dim - size) / stride) + 1 of them) and slices
/// along one axis from the first kept index to the last.
/// </summary>
public static class PartGeometry
{
    /// <summary>The corner (x, y, z) of every patch, in ClinicaDL's patch order.</summary>
    public static IReadOnlyList<int[]> PatchCorners(IReadOnlyList<int> shape, int size, int stride)
    {
        ValidatePatch(shape, size, stride);
        var counts = shape.Select(d => (d - size) / stride + 1).ToArray();
        var corners = new List<int[]>(counts[0] * counts[1] * counts[2]);
        for (var i = 0; i < counts[0]; i++)
        {
            for (var j = 0; j < counts[1]; j++)
            {
                for (var k = 0; k < counts[2]; k++)
                {
                    corners.Add([i * stride, j * stride, k * stride]);
                }
            }
        }
        return corners;
    }

    public static void ValidatePatch(IReadOnlyList<int> shape, int size, int stride)
    {
        if (size < 1)
        {
            throw new ArgumentException($"The patch size must be at least 1 voxel; got {size}.");
        }
        if (stride < 1)
        {
            throw new ArgumentException($"The stride must be at least 1 voxel; got {stride}.");
        }
        if (shape.Any(d => d < size))
        {
            throw new ArgumentException($"A patch of {size} voxels does not fit in an image of {string.Join("x", shape)}: the patch size must be at most {shape.Min()}.");
        }
    }

    /// <summary>The absolute indices of the slices kept along <paramref name="direction"/> (0 sagittal, 1 coronal, 2 axial).</summary>
    public static IReadOnlyList<int> SliceIndices(IReadOnlyList<int> shape, int direction, int discardedAtStart, int discardedAtEnd)
    {
        ValidateSlices(shape, direction, discardedAtStart, discardedAtEnd);
        return Enumerable.Range(discardedAtStart, shape[direction] - discardedAtStart - discardedAtEnd).ToList();
    }

    public static void ValidateSlices(IReadOnlyList<int> shape, int direction, int discardedAtStart, int discardedAtEnd)
    {
        if (direction is < 0 or > 2)
        {
            throw new ArgumentException($"The slice direction is 0 (sagittal), 1 (coronal) or 2 (axial); got {direction}.");
        }
        if (discardedAtStart < 0 || discardedAtEnd < 0)
        {
            throw new ArgumentException($"Discarded slice counts cannot be negative; got {discardedAtStart} and {discardedAtEnd}.");
        }
        if (discardedAtStart + discardedAtEnd >= shape[direction])
        {
            throw new ArgumentException(
                $"Discarding {discardedAtStart} + {discardedAtEnd} slices leaves none of the {shape[direction]} along axis {direction} of an image of {string.Join("x", shape)}.");
        }
    }

    /// <summary>ClinicaDL's axis names in slice file names.</summary>
    public static string AxisName(int direction) => direction switch { 0 => "sag", 1 => "cor", 2 => "axi", _ => throw new ArgumentOutOfRangeException(nameof(direction)) };
}
