using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.Preprocessing;

namespace ClinicaDL.Core.Tests.Preprocessing;

public sealed class QualityCheckTests
{
    private static readonly Orientation Unchecked = new([], [0, 0, 0]);

    [Fact]
    public void Decomposition_recovers_the_rotation_scales_and_shears_it_was_made_of()
    {
        // R (20 degrees about z) S (1.1, 0.9, 1.05) K (shears xy 0.1, xz -0.05, yz 0.2), with a translation that must not matter.
        var angle = 20 * Math.PI / 180;
        double[,] r = { { Math.Cos(angle), -Math.Sin(angle), 0 }, { Math.Sin(angle), Math.Cos(angle), 0 }, { 0, 0, 1 } };
        double[,] sk = { { 1.1, 1.1 * 0.1, 1.1 * -0.05 }, { 0, 0.9, 0.9 * 0.2 }, { 0, 0, 1.05 } };
        var a = new double[4, 4];
        a[3, 3] = 1;
        for (var i = 0; i < 3; i++)
        {
            a[i, 3] = 10 * (i + 1);
            for (var j = 0; j < 3; j++)
            {
                for (var k = 0; k < 3; k++)
                {
                    a[i, j] += r[i, k] * sk[k, j];
                }
            }
        }

        var decomposition = AffineDecomposition.Of(new AffineMatrix(a));

        Assert.Equal([1.1, 0.9, 1.05], decomposition.Scales, new Tolerance(1e-12));
        Assert.Equal([0.1, -0.05, 0.2], decomposition.Shears, new Tolerance(1e-12));
        Assert.Equal(20, decomposition.RotationDegrees, 1e-9);
        Assert.Equal(1.1 * 0.9 * 1.05, decomposition.Determinant, 1e-12);
    }

    [Fact]
    public void A_mirror_is_a_negative_z_scale_and_determinant_with_a_proper_rotation()
    {
        var mirror = new AffineMatrix(new double[,] { { -1, 0, 0, 0 }, { 0, 1, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } });

        var decomposition = AffineDecomposition.Of(mirror);

        Assert.Equal(-1, decomposition.Determinant, 1e-12);
        Assert.Equal([1, 1, -1], decomposition.Scales, new Tolerance(1e-12));
        // x -> -x is z -> -z after a half turn about y.
        Assert.Equal(180, decomposition.RotationDegrees, 1e-9);
        Assert.Contains("transform determinant -1 <= 0", string.Join("; ", QualityCheckRule.Failures(0.9, Unchecked, null, null, decomposition, null)));
    }

    [Fact]
    public void Refuses_a_singular_transform()
    {
        var flat = new AffineMatrix(new double[,] { { 1, 0, 0, 0 }, { 0, 1, 0, 0 }, { 0, 0, 0, 0 }, { 0, 0, 0, 1 } });

        Assert.Throws<ArgumentException>(() => AffineDecomposition.Of(flat));
    }

    [Fact]
    public void Robust_z_uses_the_median_and_the_scaled_MAD_and_needs_five_images()
    {
        Assert.Null(QualityCheckRule.RobustZ([0.8, 0.82, 0.84, 0.86]));

        var z = QualityCheckRule.RobustZ([0.80, 0.82, 0.84, 0.86, 0.88, 0.10])!;

        // Median 0.83; absolute deviations 0.03 0.01 0.01 0.03 0.05 0.73, their median 0.03; spread 1.4826 * 0.03.
        Assert.Equal((0.10 - 0.83) / (1.4826 * 0.03), z[5], 1e-9);
        Assert.Equal((0.88 - 0.83) / (1.4826 * 0.03), z[4], 1e-9);
    }

    [Fact]
    public void Robust_z_of_identical_similarities_is_bounded_by_the_minimum_spread()
    {
        var z = QualityCheckRule.RobustZ([0.9, 0.9, 0.9, 0.9, 0.9, 0.895])!;

        Assert.Equal(-0.005 / QualityCheckRule.MinSpread, z[5], 1e-9);
    }

    [Theory]
    [InlineData(1.6, 1.0, 0.0, "transform scale x 1.6 outside 0.75-1.35")]
    [InlineData(1.0, 0.7, 0.0, "transform scale y 0.7 outside 0.75-1.35")]
    [InlineData(1.0, 1.0, 0.3, "transform shear xy 0.3 beyond +-0.25")]
    public void Fails_an_implausible_transform_naming_the_value(double scaleX, double scaleY, double shearXY, string reason)
    {
        var transform = AffineDecomposition.Of(new AffineMatrix(new double[,] { { scaleX, scaleX * shearXY, 0, 0 }, { 0, scaleY, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } }));

        Assert.Equal([reason], QualityCheckRule.Failures(0.9, Unchecked, 0, 0, transform, null));
    }

    [Fact]
    public void Passes_a_plausible_image_and_names_every_failed_check_otherwise()
    {
        var rotation = AffineDecomposition.Of(new AffineMatrix(new double[,] { { 0, -1, 0, 0 }, { 1, 0, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } }));
        var flippedY = new Orientation([1, 2], [0.5, 0.95, 0.2]);

        Assert.Empty(QualityCheckRule.Failures(0.9, new Orientation([1, 2], [0.5, 0.7, 0.2]), -3.4, 0, null, null));
        Assert.Equal(
            [
                "template correlation 0.2 < 0.3",
                "correlation robust z -4 < -3.5 (far below the cohort)",
                "transform rotation 90 degrees > 45",
            ],
            QualityCheckRule.Failures(0.2, flippedY, -4, 1, rotation, null));
        Assert.Equal(
            ["flipped anterior-posterior: the template mirrored anterior-posterior fits better (correlation 0.95 against 0.9)"],
            QualityCheckRule.Failures(0.9, flippedY, null, null, null, null));
    }

    [Fact]
    public void Correlation_ignores_gain_and_offset_and_mutual_information_any_one_to_one_remapping()
    {
        var random = new Random(3);
        var template = Enumerable.Range(0, 20000).Select(_ => (float)random.NextDouble()).ToArray();
        var brain = Enumerable.Range(0, template.Length).Where(i => i % 3 != 0).ToArray();
        var scaled = template.Select(v => 2 * v + 5).ToArray();
        var inverted = template.Select(v => 1 - v).ToArray();
        var unrelated = template.Select(_ => (float)random.NextDouble()).ToArray();

        Assert.Equal(1, ImageSimilarity.Correlation(scaled, template, brain), 1e-6);
        Assert.Equal(-1, ImageSimilarity.Correlation(inverted, template, brain), 1e-6);
        Assert.InRange(ImageSimilarity.NormalisedMutualInformation(inverted, template, brain), 0.95, 1.0);
        Assert.InRange(ImageSimilarity.NormalisedMutualInformation(unrelated, template, brain), 0, 0.02);
        Assert.InRange(ImageSimilarity.Correlation(unrelated, template, brain), -0.03, 0.03);
    }

    [Theory]
    [InlineData("sub-01_ses-M000_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz", "sub-01_ses-M000_space-MNI152NLin2009cSym_res-1x1x1_affine.mat")]
    [InlineData("sub-01_ses-M000_space-MNI152NLin2009cSym_res-1x1x1_T1w.nii.gz", "sub-01_ses-M000_space-MNI152NLin2009cSym_res-1x1x1_affine.mat")]
    [InlineData("sub-01_ses-M000_T1w_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz", "sub-01_ses-M000_T1w_space-MNI152NLin2009cSym_res-1x1x1_affine.mat")]
    public void The_transform_is_the_image_name_without_the_crop_and_the_final_T1w(string image, string transform)
    {
        Assert.Equal(Path.Combine("/caps", transform), T1LinearQualityCheck.TransformPath(Path.Combine("/caps", image)));
    }

    [Theory]
    [InlineData("tpl-ClinicaDLPhantom_res-2_T1w.nii.gz", "tpl-ClinicaDLPhantom_res-2_desc-brain_mask.nii.gz")]
    [InlineData("tpl-MNI152NLin2009cSym_res-1_desc-brain_T1w.nii.gz", "tpl-MNI152NLin2009cSym_res-1_desc-brain_mask.nii.gz")]
    public void The_template_mask_is_named_as_TemplateFlow_names_it(string template, string mask)
    {
        Assert.Equal(Path.Combine("/t", mask), T1LinearQualityCheck.TemplateMaskPath(Path.Combine("/t", template)));
    }

    private sealed class Tolerance(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
