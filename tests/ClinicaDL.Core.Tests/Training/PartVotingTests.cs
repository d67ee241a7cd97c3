using ClinicaDL.Core.Extraction;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Training;

namespace ClinicaDL.Core.Tests.Training;

/// <summary>ClinicaDL's image-level vote (reference §8.3) against values computed by hand.</summary>
public sealed class PartVotingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clinicadl-voting-").FullName;

    // Three patches per image: a 6x2x2 image cut in 2-voxel patches along x.
    private readonly PartSampler _patches = new(new ExtractionOptions { CapsPath = "", Mode = ExtractionMode.Patch, PatchSize = 2, StrideSize = 2 }, [6, 2, 2], [], normalize: false);

    public void Dispose()
    {
        _patches.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    // Validation accuracy per part: 2/3, 1/3 and 0.
    private static readonly (int, bool)[] Validation =
        [(0, true), (0, true), (0, false), (1, true), (1, false), (1, false), (2, false), (2, false), (2, false)];

    [Fact]
    public void Weights_are_validation_accuracies_summing_to_one()
    {
        var weights = PartVoting.Weights(Validation, 0, out var note);
        Assert.Null(note);
        Assert.Equal(2.0 / 3, weights[0], 12);
        Assert.Equal(1.0 / 3, weights[1], 12);
        Assert.Equal(0, weights[2]);
    }

    [Fact]
    public void Parts_below_the_selection_threshold_weigh_nothing()
    {
        var weights = PartVoting.Weights(Validation, 0.5, out _);
        Assert.Equal(1, weights[0]);
        Assert.Equal(0, weights[1]);
        Assert.Equal(0, weights[2]);
    }

    [Fact]
    public void When_no_part_reaches_the_threshold_the_parts_weigh_the_same_and_it_is_said()
    {
        var weights = PartVoting.Weights(Validation, 0.9, out var note);
        Assert.All(weights.Values, w => Assert.Equal(1.0 / 3, w, 12));
        Assert.Contains("selection threshold 0.9", note);
    }

    [Fact]
    public void Soft_voting_averages_the_probabilities_with_the_weights()
    {
        // One image; parts say [0.4, 0.6], [0.95, 0.05], [0.5, 0.5].
        var parts = Classification([[0.4, 0.6], [0.95, 0.05], [0.5, 0.5]]);
        var all = PartVoting.Vote(parts, _patches, PartVoting.Weights(Validation, 0, out _));
        // 2/3 * 0.4 + 1/3 * 0.95 = 0.58333: class 0.
        Assert.Single(all.Samples);
        Assert.Equal(0.4 * 2 / 3 + 0.95 / 3, all.Probabilities[0][0], 12);
        Assert.Equal(0, all.PredictedCodes[0]);
        Assert.Equal(1, all.TrueCodes![0]);
        // With selection_threshold 0.5 only part 0 counts: 0.4, class 1.
        var thresholded = PartVoting.Vote(parts, _patches, PartVoting.Weights(Validation, 0.5, out _));
        Assert.Equal(0.4, thresholded.Probabilities[0][0], 12);
        Assert.Equal(1, thresholded.PredictedCodes[0]);
        Assert.Equal(0, thresholded.Samples[0].Part);
    }

    [Fact]
    public void Regression_takes_the_mean_of_the_parts()
    {
        var samples = Enumerable.Range(0, 3).Select(p => new LabeledImage("sub-01", "ses-M000", "70", "image.nii.gz", p))
            .Concat(Enumerable.Range(0, 3).Select(p => new LabeledImage("sub-02", "ses-M000", "60", "other.nii.gz", p))).ToList();
        var parts = new Evaluation
        {
            Samples = samples, Classification = false, TrueValues = [70, 70, 70, 60, 60, 60], PredictedCodes = new int[6],
            Probabilities = samples.Select(_ => Array.Empty<double>()).ToArray(), PredictedValues = [68, 71, 74, 50, 62, 62],
        };
        var voted = PartVoting.Vote(parts, _patches, null);
        Assert.Equal([71.0, 58.0], voted.PredictedValues);
        Assert.Equal([70.0, 60.0], voted.TrueValues!);
        Assert.Equal(["sub-01", "sub-02"], voted.Samples.Select(s => s.ParticipantId));
    }

    [Fact]
    public void Outcomes_are_read_back_from_a_written_part_level_table()
    {
        var path = Path.Combine(_folder, "validation_patch_level_prediction.tsv");
        new TsvTable(["participant_id", "session_id", "patch_id", "true_label", "predicted_label", "proba0", "proba1"],
        [
            ["sub-01", "ses-M000", "0", "1", "1", "0.2", "0.8"],
            ["sub-01", "ses-M000", "1", "1", "0", "0.7", "0.3"],
        ]).Write(path);
        Assert.Equal([(0, true), (1, false)], PartVoting.Outcomes(path, "patch").ToList());
        new TsvTable(["participant_id", "session_id", "patch_id", "true_label", "predicted_label"], [["sub-01", "ses-M000", "one", "1", "1"]]).Write(path);
        var error = Assert.Throws<InvalidTableException>(() => PartVoting.Outcomes(path, "patch").ToList());
        Assert.Contains("row 2", error.Message);
        Assert.Contains("'one'", error.Message);
    }

    private static Evaluation Classification(double[][] probabilities)
    {
        var samples = Enumerable.Range(0, probabilities.Length).Select(p => new LabeledImage("sub-01", "ses-M000", "CN", "image.nii.gz", p)).ToList();
        return new Evaluation
        {
            Samples = samples, Classification = true, Classes = 2, TrueCodes = [.. samples.Select(_ => 1)],
            PredictedCodes = [.. probabilities.Select(p => Array.IndexOf(p, p.Max()))], Probabilities = probabilities, PredictedValues = new double[samples.Count],
        };
    }
}
