using System.Text.RegularExpressions;
using ClinicaDL.Core.Datasets;
using ClinicaDL.Core.Extraction;
using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.Selection;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Training;

namespace ClinicaDL.Core.Tests.Datasets;

/// <summary>
/// Issue 17, item 8: CAPS images are found where ClinicaDL 1.6 finds them (clinica_utils' find_sub_ses_pattern_path:
/// <c>subjects/sub/ses/**/pattern</c>, case-insensitive), so the <c>t1-linear/</c> folders ClinicaDL's generate
/// trivial, artifacts and hypometabolic write are read; and every message about an image not found names the
/// pattern it looked for.
/// </summary>
public sealed class CapsSearchTests : IDisposable
{
    private const string T1Linear = "_T1w_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz";
    private readonly string _root = Directory.CreateTempSubdirectory("clinicadl-caps-search-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Images_in_the_folders_clinicadl_generate_writes_are_found_as_clinicadl_finds_them()
    {
        // generate random writes t1_linear/, generate trivial and artifacts write the preprocessing's name, t1-linear/.
        var caps = Caps(("sub-01", "t1_linear"), ("sub-02", "t1-linear"), ("sub-03", "T1_LINEAR"));

        var images = CapsDataset.Find(caps, new CapsQuery { Preprocessing = "t1-linear" });

        Assert.Equal(["sub-01", "sub-02", "sub-03"], images.Select(i => i.ParticipantId));
        Assert.Equal(Path.Combine(caps, "subjects", "sub-02", "ses-M000", "t1-linear", "sub-02_ses-M000" + T1Linear), images[1].Path);
    }

    [Fact]
    public void A_pet_linear_pattern_needs_its_pet_linear_folder_as_clinicadls()
    {
        const string pet = "_trc-18FFDG_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_suvr-pons_pet.nii.gz";
        var caps = Caps(("sub-01", "pet_linear"), ("sub-02", "pet-linear"));
        foreach (var (participant, folder) in new[] { ("sub-01", "pet_linear"), ("sub-02", "pet-linear") })
        {
            WriteImage(Path.Combine(caps, "subjects", participant, "ses-M000", folder, $"{participant}_ses-M000{pet}"));
        }
        var query = new CapsQuery { Preprocessing = "pet-linear", Tracer = "18FFDG", SuvrReferenceRegion = "pons" };

        Assert.Equal("sub-01", Assert.Single(CapsDataset.Find(caps, query)).ParticipantId);
        Assert.Equal("pet_linear/*" + pet, CapsDataset.ClinicaFileType(query)["pattern"]!.GetValue<string>());
    }

    /// <summary>The class: for every preprocessing, the no-image message names the whole pattern searched.</summary>
    [Theory]
    [InlineData("t1-linear", "subjects/sub-*/ses-*/**/*_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz")]
    [InlineData("flair-linear", "subjects/sub-*/ses-*/**/*_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_flair.nii.gz")]
    [InlineData("pet-linear", "subjects/sub-*/ses-*/**/pet_linear/*_trc-18FFDG_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_suvr-pons_pet.nii.gz")]
    [InlineData("t1-extensive", "subjects/sub-*/ses-*/**/t1_extensive/*_space-Ixi549Space_desc-SkullStripped_T1w.nii.gz")]
    [InlineData("custom", "subjects/sub-*/ses-*/**/*_graymatter.nii.gz")]
    public void Every_no_image_message_names_the_pattern_searched(string preprocessing, string pattern)
    {
        var caps = Caps(("sub-01", "elsewhere"));
        var query = new CapsQuery { Preprocessing = preprocessing, Tracer = "18FFDG", SuvrReferenceRegion = "pons", CustomSuffix = "_graymatter.nii.gz" };
        File.Move(Path.Combine(caps, "subjects", "sub-01", "ses-M000", "elsewhere", "sub-01_ses-M000" + T1Linear),
            Path.Combine(caps, "subjects", "sub-01", "ses-M000", "elsewhere", "sub-01_ses-M000_T1w.nii.gz"));

        Assert.Equal(pattern, CapsDataset.SearchPattern(query));
        Assert.Empty(CapsDataset.Find(caps, query));
        var index = Assert.Throws<NotFoundException>(() => CapsImageIndex.Scan(caps, query));
        Assert.Contains(pattern, index.Message);
        Assert.Contains("elsewhere/*_T1w.nii.gz (1 sessions)", index.Message);
        var extraction = Assert.Throws<NotFoundException>(() => TensorExtractor.Run(new ExtractionOptions
        {
            CapsPath = caps, Mode = ExtractionMode.Image, Preprocessing = preprocessing, Tracer = "18FFDG", SuvrReferenceRegion = "pons", CustomSuffix = "_graymatter.nii.gz",
        }));
        Assert.Contains(pattern, extraction.Message);
    }

    [Fact]
    public void A_session_of_a_split_without_an_image_is_named_with_the_pattern_searched()
    {
        var caps = Caps(("sub-01", "t1_linear"));
        var tsv = Path.Combine(_root, "train.tsv");
        new TsvTable(["participant_id", "session_id", "diagnosis"], [["sub-01", "ses-M000", "AD"], ["sub-02", "ses-M000", "CN"]]).Write(tsv);
        var query = new CapsQuery { Preprocessing = "t1-linear" };

        var error = Assert.Throws<InvalidTableException>(() =>
            DataGroup.FromTsv(TsvTable.Read(tsv), CapsImageIndex.Scan(caps, query), TrainingConfig.Build(null, new Dictionary<string, object?>()), needLabels: true));

        Assert.Contains($"({CapsDataset.SearchPattern(query)}): sub-02 ses-M000", error.Message);
    }

    [Fact]
    public void A_sessions_filter_that_lists_no_session_says_so()
    {
        var caps = Caps(("sub-01", "t1_linear"));
        var tsv = Path.Combine(_root, "none.tsv");
        new TsvTable(["participant_id", "session_id"], []).Write(tsv);

        var error = Assert.Throws<CapsException>(() => TensorExtractor.Run(new ExtractionOptions { CapsPath = caps, Mode = ExtractionMode.Image, SessionsTsv = tsv }));

        Assert.Contains("lists no session: the filter matches none of the 1 t1-linear image(s)", error.Message);
    }

    /// <summary>
    /// The class, not only its instances: engine code that searches a CAPS for images (CapsDataset.Find, or an
    /// index's TryGetPath) must say, when nothing is found, which pattern it searched. A new search whose file
    /// never names the pattern (NoImage or SearchPattern) fails here.
    /// </summary>
    [Fact]
    public void Every_engine_search_of_a_caps_can_name_its_pattern()
    {
        var searches = new Regex(@"CapsDataset\.Find\(|\.TryGetPath\(");
        var offenders = EngineSource.Files(EngineSource.Engine)
            .Where(f => !f.EndsWith("CapsDataset.cs", StringComparison.Ordinal) && !f.EndsWith("CapsImageIndex.cs", StringComparison.Ordinal))
            .Select(f => (File: f, Text: File.ReadAllText(f)))
            .Where(f => searches.IsMatch(f.Text) && !f.Text.Contains("NoImage(", StringComparison.Ordinal) && !f.Text.Contains("SearchPattern", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(EngineSource.Engine, f.File)).ToList();
        Assert.Empty(offenders);
    }

    [SkippableFact]
    public void The_caps_clinicadl_wrote_is_read()
    {
        var caps = TestData.Path("clinicadl-maps", "caps");
        var images = CapsDataset.Find(caps, new CapsQuery { Preprocessing = "t1-linear" });
        Assert.Equal(16, images.Count);
        Assert.All(images, i => Assert.EndsWith(T1Linear, i.Path, StringComparison.Ordinal));
    }

    private string Caps(params (string Participant, string Folder)[] images)
    {
        var caps = Path.Combine(_root, "caps");
        foreach (var (participant, folder) in images)
        {
            WriteImage(Path.Combine(caps, "subjects", participant, "ses-M000", folder, $"{participant}_ses-M000{T1Linear}"));
        }
        return caps;
    }

    private static void WriteImage(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        NiftiWriter.Write(path, [2, 2, 2], new float[8], AffineMatrix.Identity);
    }
}
