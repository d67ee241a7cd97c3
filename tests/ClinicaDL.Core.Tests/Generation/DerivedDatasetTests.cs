using ClinicaDL.Core.Generation;
using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Tests.Generation;

public sealed class DerivedDatasetTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clinicadl-derived-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A CAPS whose t1-linear images are the nilearn MNI templates (real brains in MNI space).</summary>
    private string TemplateCaps()
    {
        var caps = Path.Combine(_folder, "caps");
        var templates = new[] { "mni_icbm152_t1_tal_nlin_sym_09a_converted.nii.gz", "mni_icbm152_gm_tal_nlin_sym_09a_converted.nii.gz" };
        for (var i = 0; i < templates.Length; i++)
        {
            var folder = Path.Combine(caps, "subjects", $"sub-0{i + 1}", "ses-M000", "t1_linear");
            Directory.CreateDirectory(folder);
            File.Copy(TestData.Path("nifti", "nilearn", templates[i]),
                Path.Combine(folder, $"sub-0{i + 1}_ses-M000_T1w_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz"));
        }
        return caps;
    }

    [SkippableFact]
    public void Trivial_atrophies_the_left_hemisphere_for_AD_and_the_right_for_CN()
    {
        var caps = TemplateCaps();
        var sessions = DerivedDatasetGenerator.Trivial(new DerivedKindOptions { OutputPath = Path.Combine(_folder, "trivial"), CapsPath = caps, ParticipantCount = 4, AtrophyPercent = 60 }, false);

        Assert.Equal(["sub-TRIV0", "sub-TRIV1", "sub-TRIV2", "sub-TRIV3"], sessions.Select(s => s.ParticipantId));
        Assert.Equal(["AD", "CN", "AD", "CN"], sessions.Select(s => s.Diagnosis));
        var source = NiftiReader.Read(Directory.GetFiles(caps, "*.nii.gz", SearchOption.AllDirectories).Order().First());
        var (sourceLeft, sourceRight) = HemisphereMeans(source);
        var (adLeft, adRight) = HemisphereMeans(NiftiReader.Read(sessions[0].CapsPath));
        var (cnLeft, cnRight) = HemisphereMeans(NiftiReader.Read(sessions[1].CapsPath));
        Assert.InRange(adLeft / sourceLeft, 0.25, 0.41);
        Assert.Equal(sourceRight, adRight, 3);
        Assert.InRange(cnRight / sourceRight, 0.25, 0.41);
        Assert.Equal(sourceLeft, cnLeft, 3);
        Assert.Equal(["participant_id", "session_id", "diagnosis", "age_bl", "sex"], TsvTable.Read(Path.Combine(_folder, "trivial", "data.tsv")).Columns);
        Assert.Contains("sub-TRIV0_ses-M000_T1w_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz", sessions[0].CapsPath);
    }

    [SkippableFact]
    public void Random_adds_noise_of_the_given_spread_to_one_image()
    {
        var caps = TemplateCaps();
        var sessions = DerivedDatasetGenerator.RandomNoise(new DerivedKindOptions { OutputPath = Path.Combine(_folder, "random"), CapsPath = caps, ParticipantCount = 2, NoiseStd = 5 }, false);

        Assert.Equal(4, sessions.Count);
        Assert.Equal(["AD", "AD", "CN", "CN"], sessions.Select(s => s.Diagnosis));
        var source = NiftiReader.Read(Directory.GetFiles(caps, "*.nii.gz", SearchOption.AllDirectories).Order().First()).GetData();
        var noisy = NiftiReader.Read(sessions[3].CapsPath).GetData();
        var differences = source.Zip(noisy, (a, b) => b - a).ToArray();
        var mean = differences.Average();
        var std = Math.Sqrt(differences.Average(d => (d - mean) * (d - mean)));
        Assert.InRange(mean, -0.05, 0.05);
        Assert.InRange(std, 4.9, 5.1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SheppLogan_subtypes_shrink_their_regions(bool threeDimensional)
    {
        var options = new DerivedKindOptions
        {
            OutputPath = Path.Combine(_folder, $"shepp{threeDimensional}"), ParticipantCount = 3, ImageSize = 64, ThreeDimensional = threeDimensional,
            CnSubtypes = [1, 0, 0], AdSubtypes = [0, 1, 0],
        };
        var sessions = DerivedDatasetGenerator.SheppLogan(options, false);

        Assert.Equal(6, sessions.Count);
        Assert.StartsWith("sub-CLNC0", sessions[0].ParticipantId);
        var image = NiftiReader.Read(sessions[0].CapsPath);
        Assert.Equal(threeDimensional ? new[] { 64, 64, 64 } : [64, 64, 1], image.Shape);
        var subtypes = TsvTable.Read(Path.Combine(options.OutputPath, "data.tsv"));
        Assert.Equal(["1", "1", "1", "0", "0", "0"], subtypes.Rows.Select(r => r[3]));
        Assert.Equal(0.0, image.GetData().Min());
        Assert.Equal(1.0, image.GetData().Max());
    }

    [Fact]
    public void A_caps_without_t1_linear_images_is_refused()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "empty", "subjects"));
        var error = Assert.Throws<SyntheticDataException>(() => DerivedDatasetGenerator.Trivial(
            new DerivedKindOptions { OutputPath = Path.Combine(_folder, "out"), CapsPath = Path.Combine(_folder, "empty"), ParticipantCount = 2 }, false));
        Assert.Contains("no t1-linear image", error.Message);
        Assert.False(Directory.Exists(Path.Combine(_folder, "out")));
    }

    private static (double Left, double Right) HemisphereMeans(NiftiImage image)
    {
        var data = image.GetData();
        var shape = image.Shape;
        double left = 0, right = 0;
        for (var index = 0; index < data.Length; index++)
        {
            var i = index % shape[0];
            var j = index / shape[0] % shape[1];
            var k = index / (shape[0] * shape[1]);
            var x = image.Affine[0, 0] * i + image.Affine[0, 1] * j + image.Affine[0, 2] * k + image.Affine[0, 3];
            if (x < 0)
            {
                left += data[index];
            }
            else
            {
                right += data[index];
            }
        }
        return (left, right);
    }
}
