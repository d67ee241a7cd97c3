namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// How an image compares with the template mirrored along each voxel axis (x, y, z): a flipped image correlates
/// better with the mirrored template than with the template itself. Only the axes the template is asymmetric about
/// are checked, since along a symmetric one the two are the same picture.
/// </summary>
/// <param name="CheckedAxes">The axes (0 = x, 1 = y, 2 = z) the template is asymmetric about.</param>
/// <param name="MirrorCorrelations">The image's correlation with the template mirrored along x, y and z.</param>
public sealed record Orientation(int[] CheckedAxes, double[] MirrorCorrelations)
{
    /// <summary>How a flip along each voxel axis of a template-space grid reads (RAS: x left-right, y anterior-posterior, z superior-inferior).</summary>
    public static readonly string[] AxisNames = ["left-right", "anterior-posterior", "superior-inferior"];

    /// <summary>The smallest of the template correlation minus a mirror's, over the checked axes; null when none is checked.</summary>
    public double? Margin(double correlation) => CheckedAxes.Length == 0 ? null : CheckedAxes.Min(axis => correlation - MirrorCorrelations[axis]);
}
