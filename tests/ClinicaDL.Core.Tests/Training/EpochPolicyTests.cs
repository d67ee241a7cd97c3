using ClinicaDL.Core.Training;

namespace ClinicaDL.Core.Tests.Training;

/// <summary>The per-epoch decisions of a training, each alone: which models are kept, when training stops, which samples an epoch draws.</summary>
public sealed class EpochPolicyTests
{
    [Fact]
    public void Best_model_selection_keeps_strict_improvements_lower_for_losses_higher_for_scores()
    {
        var selection = new BestModelSelection(["loss", "BA", "MAE"]);
        Assert.Equal(["loss", "BA", "MAE"], selection.Improve(new Dictionary<string, double> { ["loss"] = 0.7, ["BA"] = 0.5, ["MAE"] = 3 }));
        // Equal values are no improvement: the first epoch that reached a value keeps it.
        Assert.Empty(selection.Improve(new Dictionary<string, double> { ["loss"] = 0.7, ["BA"] = 0.5, ["MAE"] = 3 }));
        Assert.Equal(["BA"], selection.Improve(new Dictionary<string, double> { ["loss"] = 0.8, ["BA"] = 0.6, ["MAE"] = 4 }));
        Assert.Equal(["loss", "MAE"], selection.Improve(new Dictionary<string, double> { ["loss"] = 0.6, ["BA"] = 0.55, ["MAE"] = 2 }));
        Assert.Equal(new Dictionary<string, double> { ["loss"] = 0.6, ["BA"] = 0.6, ["MAE"] = 2 }, selection.Best);
    }

    [Fact]
    public void Best_model_selection_resumes_from_the_state_a_checkpoint_kept()
    {
        var selection = new BestModelSelection(["loss", "BA"]);
        selection.Restore(new Dictionary<string, double> { ["loss"] = 0.5, ["BA"] = 0.9 });
        Assert.Empty(selection.Improve(new Dictionary<string, double> { ["loss"] = 0.6, ["BA"] = 0.8 }));
        Assert.Equal(["loss"], selection.Improve(new Dictionary<string, double> { ["loss"] = 0.4, ["BA"] = 0.8 }));
    }

    [Fact]
    public void Early_stopping_counts_epochs_without_an_improvement_beyond_the_tolerance()
    {
        var stopping = new EarlyStopping(patience: 2, tolerance: 0.1);
        Assert.False(stopping.Update(1.0));
        // 0.95 is below 1.0 but not by more than 10% of it: no improvement.
        Assert.False(stopping.Update(0.95));
        Assert.Equal(1, stopping.EpochsWithoutImprovement);
        Assert.False(stopping.Update(0.85));
        Assert.Equal((0.85, 0), (stopping.BestLoss, stopping.EpochsWithoutImprovement));
        Assert.False(stopping.Update(0.9));
        Assert.True(stopping.Update(0.9));
    }

    /// <summary>The first loss measured against an infinite best gave NaN with a tolerance: every epoch counted as no improvement.</summary>
    [Fact]
    public void Early_stopping_with_a_tolerance_takes_the_first_loss_as_the_first_best()
    {
        var stopping = new EarlyStopping(patience: 1, tolerance: 0.5);
        Assert.False(stopping.Update(2.0));
        Assert.Equal((2.0, 0), (stopping.BestLoss, stopping.EpochsWithoutImprovement));
        Assert.False(stopping.Update(0.9));
        Assert.True(stopping.Update(0.8));
    }

    [Fact]
    public void Early_stopping_with_patience_zero_never_stops_and_resumes_its_count()
    {
        var never = new EarlyStopping(patience: 0, tolerance: 0);
        Assert.All(Enumerable.Range(0, 10), _ => Assert.False(never.Update(1.0)));
        var resumed = new EarlyStopping(patience: 3, tolerance: 0);
        resumed.Restore(0.5, 2);
        Assert.True(resumed.Update(0.5));
    }

    [Fact]
    public void The_random_sampler_draws_a_permutation_fixed_by_seed_and_epoch()
    {
        var samples = Samples("CN", "CN", "AD", "CN", "AD", "CN");
        var first = SampleOrder.Draw(SampleOrder.Random, TrainingTask.Classification, samples, seed: 3, epoch: 0);
        Assert.Equal(Enumerable.Range(0, 6), first.Order());
        Assert.Equal(first, SampleOrder.Draw(SampleOrder.Random, TrainingTask.Classification, samples, seed: 3, epoch: 0));
        Assert.NotEqual(first, SampleOrder.Draw(SampleOrder.Random, TrainingTask.Classification, samples, seed: 3, epoch: 1));
    }

    [Fact]
    public void The_weighted_sampler_draws_each_class_about_equally_often()
    {
        // 1 AD for 9 CN: weights 1/1 and 1/9, so each class is half of the draws.
        var labels = new[] { "AD" }.Concat(Enumerable.Repeat("CN", 9)).ToArray();
        var draws = Enumerable.Range(0, 400).SelectMany(epoch => SampleOrder.Draw(SampleOrder.Weighted, TrainingTask.Classification, Samples(labels), 1, epoch)).ToList();
        Assert.Equal(4000, draws.Count);
        Assert.InRange(draws.Count(i => i == 0) / 4000.0, 0.47, 0.53);
    }

    [Fact]
    public void The_weighted_sampler_bins_regression_labels_in_five_equal_widths()
    {
        var classes = WeightedSampler.Classes(TrainingTask.Regression, Samples("60", "61", "69", "70", "80", "100"));
        Assert.Equal(["0", "0", "1", "1", "2", "4"], classes);
    }

    [Fact]
    public void An_unknown_sampler_is_refused_naming_the_known_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => SampleOrder.Draw("stratified", TrainingTask.Classification, Samples("CN"), 0, 0));
        Assert.Contains("random or weighted", error.Message);
    }

    private static List<LabeledImage> Samples(params string[] labels) =>
        labels.Select((label, i) => new LabeledImage($"sub-{i:D2}", "ses-M000", label, $"/caps/sub-{i:D2}.nii.gz")).ToList();
}
