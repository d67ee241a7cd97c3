using ClinicaDL.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Training;

/// <summary>
/// Each epoch's learning rate: the scheduled ones against torch's closed forms computed by hand, ClinicaDL's plateau
/// reduction against torch's ReduceLROnPlateau step by step, and the keys' validation.
/// </summary>
public sealed class LearningRateScheduleTests
{
    public LearningRateScheduleTests() => TorchNatives.EnsureLoaded();

    private static TrainingConfig Config(params (string Key, object Value)[] values) =>
        TrainingConfig.Build(null, values.ToDictionary(v => v.Key, v => (object?)v.Value));

    private static double[] Rates(TrainingConfig config) => Enumerable.Range(0, config.Epochs).Select(e => new LearningRateSchedule(config).Rate(e)).ToArray();

    [Fact]
    public void The_constant_schedule_is_clinicadls_one_rate()
    {
        Assert.All(Rates(Config(("epochs", 5), ("learning_rate", 3e-4))), r => Assert.Equal(3e-4, r));
    }

    [Fact]
    public void The_step_schedule_multiplies_by_gamma_every_step_size_epochs()
    {
        var rates = Rates(Config(("epochs", 8), ("learning_rate", 0.1), ("learning_rate_schedule", "step"), ("learning_rate_step_size", 3), ("learning_rate_gamma", 0.5)));
        Assert.Equal([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025], rates);
    }

    [Fact]
    public void The_cosine_schedule_follows_torchs_closed_form_over_the_run()
    {
        // eta_min + (lr - eta_min)(1 + cos(pi t / T)) / 2 with T = 10: 1e-3 at t = 0, the mean 5.05e-4 at t = 5,
        // and at t = 9, (1 + cos(0.9 pi)) / 2 = 0.0244717418524232, so 1e-5 + 0.99e-3 * that.
        var rates = Rates(Config(("epochs", 10), ("learning_rate", 1e-3), ("learning_rate_schedule", "cosine"), ("learning_rate_min", 1e-5)));
        Assert.Equal(1e-3, rates[0], 1e-15);
        Assert.Equal(5.05e-4, rates[5], 1e-15);
        Assert.Equal(1e-5 + 0.99e-3 * 0.0244717418524232, rates[9], 1e-15);
        Assert.True(rates.Zip(rates.Skip(1)).All(p => p.Second < p.First), "the rate falls every epoch");
        Assert.True(rates[9] > 1e-5, "the minimum is reached after the last epoch, as torch's T_max = epochs");
    }

    [Fact]
    public void A_warm_up_rises_in_equal_steps_to_the_rate_then_the_schedule_runs_over_the_other_epochs()
    {
        var constant = Rates(Config(("epochs", 5), ("learning_rate", 0.4), ("learning_rate_warmup_epochs", 3)));
        Assert.Equal([0.1, 0.2, 0.30000000000000004, 0.4, 0.4], constant);

        // Warm-up 2 of 12 epochs, then cosine over T = 10: epoch 2 is t = 0 (the full rate), epoch 7 is t = 5 (the mean).
        var cosine = Rates(Config(("epochs", 12), ("learning_rate", 1e-3), ("learning_rate_warmup_epochs", 2), ("learning_rate_schedule", "cosine")));
        Assert.Equal(1e-3 / 3, cosine[0], 1e-18);
        Assert.Equal(2e-3 / 3, cosine[1], 1e-18);
        Assert.Equal(1e-3, cosine[2], 1e-18);
        Assert.Equal(5e-4, cosine[7], 1e-15);

        // The step schedule counts its steps from the end of the warm-up.
        var step = Rates(Config(("epochs", 6), ("learning_rate", 1.0), ("learning_rate_warmup_epochs", 1), ("learning_rate_schedule", "step"), ("learning_rate_step_size", 2)));
        Assert.Equal([0.5, 1.0, 1.0, 0.1, 0.1, 0.010000000000000002], step);
    }

    [Fact]
    public void The_plateau_lowers_the_rate_tenfold_after_more_than_ten_epochs_without_a_relative_improvement_of_1e_4()
    {
        var plateau = new PlateauReduction(1e-3);
        // The first loss is the first best; ten bad epochs are not more than the patience.
        Assert.False(plateau.Step(1.0));
        for (var i = 0; i < 10; i++)
        {
            // 0.99995 is below 1 by 5e-5, less than 1e-4 of it: no improvement.
            Assert.False(plateau.Step(0.99995));
        }
        Assert.Equal((1.0, 10), (plateau.Best, plateau.BadEpochs));
        // 0.9998 is an improvement (below 1 · (1 - 1e-4) = 0.9999) and restarts the count.
        Assert.False(plateau.Step(0.9998));
        Assert.Equal((0.9998, 0), (plateau.Best, plateau.BadEpochs));
        for (var i = 0; i < 10; i++)
        {
            Assert.False(plateau.Step(0.9998));
        }
        // The eleventh bad epoch: the rate becomes 1e-4 for the next epoch and the count restarts (cooldown 0).
        Assert.True(plateau.Step(0.9998));
        Assert.Equal((1e-3 * 0.1, 0, 0), (plateau.Rate, plateau.BadEpochs, plateau.CooldownCounter));
        Assert.Equal(0.9998, plateau.Best);
    }

    [Fact]
    public void The_plateau_keeps_a_rate_that_a_reduction_would_change_by_no_more_than_eps()
    {
        // 1e-8 → 1e-9 changes it by 9e-9, not more than eps = 1e-8: torch leaves it, but resets the count.
        var plateau = new PlateauReduction(1e-8);
        var reduced = Enumerable.Range(0, 12).Select(_ => plateau.Step(2.0)).ToList();
        Assert.DoesNotContain(true, reduced);
        Assert.Equal((1e-8, 0), (plateau.Rate, plateau.BadEpochs));
    }

    [Fact]
    public void A_nan_validation_loss_is_a_bad_epoch()
    {
        var plateau = new PlateauReduction(0.1);
        plateau.Step(1.0);
        plateau.Step(double.NaN);
        Assert.Equal((1.0, 1), (plateau.Best, plateau.BadEpochs));
    }

    [Fact]
    public void A_restored_plateau_lowers_the_rate_at_the_same_epoch_as_an_uninterrupted_one()
    {
        double[] losses = [0.9, 0.8, .. Enumerable.Repeat(0.85, 14), 0.5, .. Enumerable.Repeat(0.6, 12)];
        var whole = new PlateauReduction(1e-3);
        var wholeRates = losses.Select(l => { whole.Step(l); return whole.Rate; }).ToList();

        var first = new PlateauReduction(1e-3);
        var rates = losses.Take(7).Select(l => { first.Step(l); return first.Rate; }).ToList();
        var resumed = new PlateauReduction(1e-3);
        resumed.Restore(first.Save());
        rates.AddRange(losses.Skip(7).Select(l => { resumed.Step(l); return resumed.Rate; }));

        Assert.Equal(wholeRates, rates);
        // Best 0.8 at index 1, bad from index 2: the 11th bad epoch is index 12; 0.5 at index 16 restarts the count,
        // and the 11th 0.6 (index 27) lowers the rate again.
        Assert.Equal(1e-3, wholeRates[11]);
        Assert.Equal(1e-3 * 0.1, wholeRates[12]);
        Assert.Equal(1e-3 * 0.1, wholeRates[26]);
        Assert.Equal(1e-3 * 0.1 * 0.1, wholeRates[27]);
        Assert.Equal(1e-3 * 0.1 * 0.1, wholeRates[28]);
    }

    [Fact]
    public void With_adaptive_learning_rate_every_epoch_trains_with_the_plateaus_rate()
    {
        var schedule = new LearningRateSchedule(Config(("epochs", 30), ("learning_rate", 1e-3), ("adaptive_learning_rate", true)));
        Assert.NotNull(schedule.Plateau);
        var rates = new List<double>();
        for (var epoch = 0; epoch < 14; epoch++)
        {
            rates.Add(schedule.Rate(epoch));
            schedule.EpochEnded(1.0);
        }
        // Steps 2-12 are bad: the reduction after epoch 11 applies from epoch 12.
        Assert.Equal([.. Enumerable.Repeat(1e-3, 12), 1e-3 * 0.1, 1e-3 * 0.1], rates);
    }

    [Fact]
    public void Setting_the_rate_changes_what_the_next_optimiser_step_does()
    {
        using var weight = new TorchSharp.Modules.Parameter(tensor(new float[] { 1, 2 }));
        using var optimizer = optim.SGD([weight], 1.0);
        void Step(double rate)
        {
            Optimizers.SetLearningRate(optimizer, rate);
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            // d(sum w²)/dw = 2w: SGD moves w to w - rate · 2w.
            weight.mul(weight).sum().backward();
            optimizer.step();
        }
        Step(0.25);
        Assert.Equal([0.5f, 1f], weight.data<float>().ToArray());
        Step(0);
        Assert.Equal([0.5f, 1f], weight.data<float>().ToArray());
        Assert.Equal(0, optimizer.ParamGroups.Single().LearningRate);
    }

    public static TheoryData<string, object, string> WrongValues => new()
    {
        { "learning_rate_schedule", "linear", "learning_rate_schedule: expected constant, step, cosine; got linear." },
        { "learning_rate_step_size", 0, "learning_rate_step_size: expected a number of epochs, at least 1; got 0." },
        { "learning_rate_gamma", 1.5, "learning_rate_gamma: expected a factor in (0, 1]; got 1.5." },
        { "learning_rate_gamma", 0.0, "learning_rate_gamma: expected a factor in (0, 1]; got 0." },
        { "learning_rate_min", 1e-3, "learning_rate_min: expected zero or a positive number below learning_rate (0.0001); got 0.001." },
        { "learning_rate_min", -1.0, "learning_rate_min: expected zero or a positive number below learning_rate (0.0001); got -1." },
        { "learning_rate_warmup_epochs", 20, "learning_rate_warmup_epochs: expected zero or fewer epochs than epochs (20), leaving the schedule at least one; got 20." },
        { "learning_rate_warmup_epochs", -1, "learning_rate_warmup_epochs: expected zero or fewer epochs than epochs (20), leaving the schedule at least one; got -1." },
    };

    [Theory]
    [MemberData(nameof(WrongValues))]
    public void A_wrong_schedule_value_is_refused_naming_its_key(string key, object value, string message)
    {
        var config = Config(("caps_directory", "caps"), ("tsv_path", "split"), (key, value));
        var error = Assert.Throws<ArgumentException>(config.Validate);
        Assert.Equal(key, error.ParamName);
        Assert.StartsWith(message, error.Message);
    }

    [Theory]
    [InlineData("learning_rate_schedule", "cosine", "learning_rate_schedule = cosine")]
    [InlineData("learning_rate_schedule", "step", "learning_rate_schedule = step")]
    [InlineData("learning_rate_warmup_epochs", 2, "learning_rate_warmup_epochs = 2")]
    public void Adaptive_learning_rate_is_refused_with_another_schedule_or_a_warm_up(string key, object value, string named)
    {
        var config = Config(("caps_directory", "caps"), ("tsv_path", "split"), ("adaptive_learning_rate", true), (key, value));
        var error = Assert.Throws<ArgumentException>(config.Validate);
        Assert.Equal("adaptive_learning_rate", error.ParamName);
        Assert.Contains($"cannot be combined with {named}", error.Message);
    }

    [Fact]
    public void The_schedule_keys_are_read_from_a_train_config_toml_beside_clinicadls()
    {
        var toml = Path.Combine(Path.GetTempPath(), $"clinicadl-lr-{Guid.NewGuid():N}.toml");
        File.WriteAllText(toml, "[Optimization]\nepochs = 12\nlearning_rate = 1e-3\nadaptive_learning_rate = false\n" +
            "learning_rate_schedule = \"step\"\nlearning_rate_step_size = 4\nlearning_rate_gamma = 0.5\nlearning_rate_warmup_epochs = 2\n");
        try
        {
            var config = TrainingConfig.Build(toml, new Dictionary<string, object?>());
            Assert.Equal(("step", 4, 0.5, 2), (config.LearningRateSchedule, config.LearningRateStepSize, config.LearningRateGamma, config.LearningRateWarmupEpochs));
            // Warm-up 1e-3/3, 2e-3/3, then 1e-3 for 4 epochs, 5e-4 for 4, 2.5e-4 for 2.
            Assert.Equal([1e-3 / 3, 1e-3 * 2 / 3, 1e-3, 1e-3, 1e-3, 1e-3, 5e-4, 5e-4, 5e-4, 5e-4, 2.5e-4, 2.5e-4], Rates(config), new ToleranceComparer(1e-18));
        }
        finally
        {
            File.Delete(toml);
        }
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double value) => 0;
    }

    [Fact]
    public void Adaptive_learning_rate_alone_is_accepted_and_the_schedule_keys_replay_from_maps_json()
    {
        var config = Config(("caps_directory", "caps"), ("tsv_path", "split"), ("adaptive_learning_rate", true));
        config.Validate();
        var replayed = TrainingConfig.FromMapsDescription(
            System.Text.Json.Nodes.JsonNode.Parse(Config(("learning_rate_schedule", "cosine"), ("learning_rate_min", 1e-6), ("learning_rate_warmup_epochs", 3)).ToJson())!.AsObject(), "maps.json");
        Assert.Equal(("cosine", 1e-6, 3, 10, 0.1), (replayed.LearningRateSchedule, replayed.LearningRateMin, replayed.LearningRateWarmupEpochs, replayed.LearningRateStepSize, replayed.LearningRateGamma));
    }
}
