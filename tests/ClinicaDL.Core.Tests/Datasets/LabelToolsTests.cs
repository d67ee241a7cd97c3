using ClinicaDL.Core.Datasets;
using ClinicaDL.Core.Selection;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Tests.Datasets;

public sealed class LabelToolsTests
{
    private static readonly string[] MergedColumns = ["participant_id", "session_id", "age_bl", "sex", "diagnosis", "diagnosis_bl", "MMSE", "cdr_global"];

    private static TsvTable Merged() => new(MergedColumns,
    [
        ["sub-01", "ses-M012", "70", "F", null, "CN", "29", "0"],
        ["sub-01", "ses-M000", "70", "F", "CN", "CN", "30", "0"],
        ["sub-01", "ses-M024", "70", "F", "CN", "CN", "28", "0"],
        ["sub-02", "ses-M000", "80", "M", "MCI", "MCI", "26", "0.5"],
        ["sub-02", "ses-M006", "80", "M", "AD", "MCI", "22", "1"],
        ["sub-02", "ses-M036", "80", "M", null, "MCI", "20", "1"],
        ["sub-03", "ses-M000", "75", "M", "AD", "SMC", "21", "1"],
        ["sub-04", "ses-M000", "68", "F", "AD", "AD", "20", "1"],
    ]);

    [Fact]
    public void Get_labels_infers_drops_filters_and_sorts_as_clinicadl()
    {
        var result = LabelBuilder.FromTable(Merged(), new LabelOptions { Diagnoses = ["AD", "CN", "MCI"] });
        var labels = result.Labels;

        Assert.Equal(["participant_id", "session_id", "age_bl", "sex", "diagnosis"], labels.Columns);
        Assert.Equal("age_bl", result.AgeColumn);
        // sub-01 M012 inferred CN (CN before and after); sub-02 M036 dropped (last session); sub-03 dropped (SMC).
        Assert.Equal(
            [("sub-01", "ses-M000", "CN"), ("sub-01", "ses-M012", "CN"), ("sub-01", "ses-M024", "CN"), ("sub-02", "ses-M000", "MCI"), ("sub-02", "ses-M006", "AD"), ("sub-04", "ses-M000", "AD")],
            labels.Rows.Select(r => (r[0], r[1], r[4])));
        Assert.Contains(result.Notes, n => n.Contains("SMC"));
    }

    [Fact]
    public void Get_labels_options_keep_smc_remove_single_sessions_and_restrict()
    {
        var restriction = Path.GetTempFileName();
        try
        {
            File.WriteAllText(restriction, "participant_id\tsession_id\nsub-01\tses-M000\nsub-03\tses-M000\nsub-04\tses-M000\n");
            var kept = LabelBuilder.FromTable(Merged(), new LabelOptions { KeepSmc = true, RestrictionPath = restriction, VariablesOfInterest = ["MMSE"] }).Labels;
            Assert.Equal(["sub-01", "sub-03", "sub-04"], kept.Rows.Select(r => r[0]));
            Assert.Equal("MMSE", kept.Columns[^1]);
            var longitudinal = LabelBuilder.FromTable(Merged(), new LabelOptions { RemoveUniqueSession = true, Diagnoses = ["AD", "CN", "MCI"] }).Labels;
            Assert.DoesNotContain(longitudinal.Rows, r => r[0] == "sub-04");
        }
        finally
        {
            File.Delete(restriction);
        }
    }

    [Fact]
    public void Get_labels_counts_what_each_step_dropped()
    {
        var result = LabelBuilder.FromTable(Merged(), new LabelOptions { Diagnoses = ["AD"] });
        // 8 sessions: sub-03 (SMC), sub-02 M036 (undetermined), then sub-01 x3 and sub-02 M000 (not AD).
        Assert.Equal(8, result.Drops.Before);
        Assert.Equal([("baseline or screening diagnosis SMC", 1), ("missing diagnosis that could not be inferred", 1), ("diagnosis not in AD", 4)],
            result.Drops.Steps.Select(s => (s.Reason, s.Count)));
        Assert.Equal(2, result.Drops.After);
        Assert.True(result.Drops.IsLarge);
    }

    [Fact]
    public void Get_labels_refuses_to_drop_every_session_and_names_the_diagnoses_present()
    {
        var error = Assert.Throws<NothingSelectedException>(() => LabelBuilder.FromTable(Merged(), new LabelOptions { Diagnoses = ["Dementia"] }));
        Assert.Equal(0, error.Report.After);
        Assert.Contains("8 of 8 sessions dropped (1: baseline or screening diagnosis SMC; 1: missing diagnosis that could not be inferred; 6: diagnosis not in Dementia), 0 left", error.Message);
        Assert.Contains("holds AD (3 sessions), CN (2 sessions), MCI (1 sessions)", error.Message);
    }

    [Fact]
    public void Get_labels_refuses_a_named_diagnosis_no_session_has_only_when_asked_to_check()
    {
        var error = Assert.Throws<NotFoundException>(() => LabelBuilder.FromTable(Merged(), new LabelOptions { Diagnoses = ["AD", "FTD"], CheckDiagnoses = true }));
        Assert.Equal(NotFoundKind.Diagnosis, error.Missing.Kind);
        Assert.Equal("FTD", error.Missing.Name);
        Assert.Equal(["AD (3 sessions)", "CN (2 sessions)", "MCI (1 sessions)"], error.Missing.Available);
        Assert.Equal(2, LabelBuilder.FromTable(Merged(), new LabelOptions { Diagnoses = ["AD", "FTD"] }).Labels.Rows.Count);
    }

    [Theory]
    [InlineData("bids", "bids")]
    [InlineData("bids/sub-01", "bids")]
    [InlineData("bids/sub-01/ses-M000/anat/sub-01_ses-M000_T1w.nii.gz", "bids")]
    [InlineData("elsewhere", "elsewhere")]
    public void A_path_inside_a_bids_dataset_names_the_dataset(string path, string root)
    {
        var folder = Directory.CreateTempSubdirectory("rootof").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(folder, "bids/sub-01/ses-M000/anat"));
            Directory.CreateDirectory(Path.Combine(folder, "elsewhere"));
            // A folder that is no dataset and lies in no subject names itself, so scanning it says it is not BIDS.
            Assert.Equal(Path.Combine(folder, root), BidsDataset.RootOf(Path.Combine(folder, path)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Get_labels_refuses_duplicate_sessions_naming_the_lines()
    {
        var rows = Merged().Rows.ToList();
        rows.Add(rows[1]);
        var error = Assert.Throws<InvalidTableException>(() => LabelBuilder.FromTable(new TsvTable(MergedColumns, rows, "/data/merged.tsv"), new LabelOptions()));
        Assert.Contains("'/data/merged.tsv', line 10: (sub-01, ses-M000) already appears on line 3", error.Message);
    }

    [Fact]
    public void Progression_follows_clinicadls_rules()
    {
        var labels = new TsvTable(["participant_id", "session_id", "diagnosis"],
        [
            ["sub-01", "ses-M000", "CN"], ["sub-01", "ses-M036", "MCI"], ["sub-01", "ses-M048", "MCI"],
            ["sub-02", "ses-M000", "MCI"], ["sub-02", "ses-M024", "MCI"], ["sub-02", "ses-M048", "MCI"],
            ["sub-03", "ses-M000", "MCI"], ["sub-03", "ses-M036", "AD"], ["sub-03", "ses-M048", "MCI"],
            ["sub-04", "ses-M000", "MCI"], ["sub-04", "ses-M012", "AD"], ["sub-04", "ses-M024", "MCI"], ["sub-04", "ses-M060", "CN"],
        ]);

        var result = Progression.Add(labels, timeHorizon: 36);

        Assert.Equal("progression", result.Columns[^1]);
        // sub-03 worsens then improves: unstable everywhere. sub-04 only improves (the session before the horizon
        // decides when it differs, else the one after).
        Assert.Equal(["p", "s", "uk", "s", "s", "uk", "us", "us", "us", "r", "r", "r", "uk"], result.Rows.Select(r => r[^1]));
    }

    [Fact]
    public void Demographics_per_group_match_hand_computed_values()
    {
        var labels = LabelBuilder.FromTable(Merged(), new LabelOptions { Diagnoses = ["AD", "CN", "MCI"], VariablesOfInterest = ["MMSE", "cdr_global"] }).Labels;

        var rows = DemographicsAnalysis.Analyse(labels);

        Assert.Equal(["AD", "CN", "MCI"], rows.Select(r => r.Group));
        var ad = rows[0];
        Assert.Equal(2, ad.Subjects);
        Assert.Equal(74, ad.MeanAge);
        Assert.Equal(6, ad.StdAge);
        Assert.Equal((1, 1), (ad.SexF, ad.SexM));
        Assert.Equal(21, ad.MeanMmse);
        Assert.Equal(2, ad.Cdr1);
        var cn = rows[1];
        Assert.Equal(3, cn.Scans);
        Assert.Equal(3, cn.MeanScans);
        Assert.Equal(30, cn.MeanMmse);
        Assert.Equal(DemographicsAnalysis.Columns, DemographicsAnalysis.ToTable(rows).Columns);
    }

    [Fact]
    public void Caps_images_are_found_with_clinicadls_patterns()
    {
        var root = Directory.CreateTempSubdirectory("clinicadl-caps-").FullName;
        try
        {
            void Touch(string relative)
            {
                var path = Path.Combine(root, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, "");
            }
            Touch("subjects/sub-01/ses-M000/t1_linear/sub-01_ses-M000_T1w_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz");
            Touch("subjects/sub-01/ses-M000/t1_linear/sub-01_ses-M000_T1w_space-MNI152NLin2009cSym_res-1x1x1_T1w.nii.gz");
            Touch("subjects/sub-02/ses-M000/t1_linear/sub-02_ses-M000_run-01_T1w_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz");
            Touch("subjects/sub-02/ses-M000/t1_linear/sub-02_ses-M000_run-02_T1w_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz");
            Touch("subjects/sub-02/ses-M000/pet_linear/sub-02_ses-M000_trc-18FFDG_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_suvr-pons2_pet.nii.gz");

            var notes = new List<string>();
            var cropped = CapsDataset.Find(root, new CapsQuery { Preprocessing = "t1-linear" }, notes);
            var uncropped = CapsDataset.Find(root, new CapsQuery { Preprocessing = "t1-linear", UseUncroppedImage = true });
            var pet = CapsDataset.Find(root, new CapsQuery { Preprocessing = "pet-linear", Tracer = "18FFDG", SuvrReferenceRegion = "pons2" });

            Assert.Equal(["sub-01", "sub-02"], cropped.Select(i => i.ParticipantId));
            Assert.All(cropped, i => Assert.True(i.Cropped));
            Assert.Contains("run-02", cropped[1].Path);
            Assert.Single(notes);
            Assert.Single(uncropped);
            Assert.False(uncropped[0].Cropped);
            Assert.Equal(("18FFDG", "pons2"), (pet.Single().Tracer, pet.Single().SuvrReferenceRegion));
            Assert.Throws<CapsException>(() => CapsDataset.Find(root, new CapsQuery { Preprocessing = "pet-linear" }));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
