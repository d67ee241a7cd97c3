using System.Globalization;

namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// When a t1-linear image passes the quality check: it looks enough like the template (an absolute floor on the
/// correlation; the mutual information's scale depends too much on the images' noise and contrast for one), not much less than the rest of its cohort (robust z-scores, from 5 images up), and its transform,
/// when there is one, is one a head can need (no mirror, plausible scales, shears and rotation); and it fits the
/// template better than the template's mirror along every axis the template is asymmetric about (a flip). The limits and the
/// measurements behind them are in the cmdlet's help.
/// </summary>
public static class QualityCheckRule
{
    public const double MinCorrelation = 0.3;

    /// <summary>
    /// An axis the template correlates with its own mirror above this much (phantoms left-right: 0.992) cannot tell a
    /// flipped image from a right one: the image's orientation is checked only along the other axes.
    /// </summary>
    public const double MaxTemplateSymmetry = 0.98;

    /// <summary>Below this many images the cohort's median and MAD are too unsteady for a z-score.</summary>
    public const int MinCohort = 5;

    public const double MinRobustZ = -3.5;

    /// <summary>
    /// The z-scores' spread is at least this: among well-registered images the similarities can agree to the third
    /// decimal (phantoms), and a difference that small says nothing about registration.
    /// </summary>
    public const double MinSpread = 0.01;

    public const double MinScale = 0.75;
    public const double MaxScale = 1.35;
    public const double MaxShear = 0.25;
    public const double MaxRotationDegrees = 45;

    /// <summary>The robust z-scores of <paramref name="values"/> (median, MAD scaled by 1.4826 to a normal's SD); null under <see cref="MinCohort"/>.</summary>
    public static double[]? RobustZ(IReadOnlyList<double> values)
    {
        if (values.Count < MinCohort)
        {
            return null;
        }
        var median = Median(values);
        var spread = Math.Max(1.4826 * Median(values.Select(v => Math.Abs(v - median)).ToList()), MinSpread);
        return values.Select(v => (v - median) / spread).ToArray();
    }

    /// <summary>Every failed check with its value and limit; empty for a pass.</summary>
    public static IReadOnlyList<string> Failures(double correlation, Orientation orientation, double? correlationZ, double? mutualInformationZ,
        AffineDecomposition? transform, string? transformProblem)
    {
        var failures = new List<string>();
        void Check(bool ok, FormattableString failure)
        {
            if (!ok)
            {
                failures.Add(failure.ToString(CultureInfo.InvariantCulture));
            }
        }
        Check(correlation >= MinCorrelation, $"template correlation {correlation:0.###} < {MinCorrelation}");
        // An image that is not a brain in place fails on its correlation; its mirrors say nothing more.
        foreach (var axis in correlation >= MinCorrelation ? orientation.CheckedAxes : [])
        {
            var mirrored = orientation.MirrorCorrelations[axis];
            Check(correlation >= mirrored,
                $"flipped {Orientation.AxisNames[axis]}: the template mirrored {Orientation.AxisNames[axis]} fits better (correlation {mirrored:0.###} against {correlation:0.###})");
        }
        Check(correlationZ is not { } cz || cz >= MinRobustZ, $"correlation robust z {correlationZ:0.##} < {MinRobustZ} (far below the cohort)");
        Check(mutualInformationZ is not { } mz || mz >= MinRobustZ, $"mutual information robust z {mutualInformationZ:0.##} < {MinRobustZ} (far below the cohort)");
        if (transformProblem is not null)
        {
            failures.Add(transformProblem);
        }
        if (transform is not null)
        {
            Check(transform.Determinant > 0, $"transform determinant {transform.Determinant:0.###} <= 0 (a mirror image: left and right or front and back swapped)");
            string[] axes = ["x", "y", "z"];
            for (var axis = 0; axis < 3; axis++)
            {
                // A mirror's negative scale is the determinant's failure; its size is checked as any other.
                var scale = Math.Abs(transform.Scales[axis]);
                Check(scale is >= MinScale and <= MaxScale, $"transform scale {axes[axis]} {scale:0.###} outside {MinScale}-{MaxScale}");
            }
            string[] planes = ["xy", "xz", "yz"];
            for (var plane = 0; plane < 3; plane++)
            {
                var shear = transform.Shears[plane];
                Check(Math.Abs(shear) < MaxShear, $"transform shear {planes[plane]} {shear:0.###} beyond +-{MaxShear}");
            }
            Check(transform.RotationDegrees <= MaxRotationDegrees, $"transform rotation {transform.RotationDegrees:0.#} degrees > {MaxRotationDegrees}");
        }
        return failures;
    }

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
