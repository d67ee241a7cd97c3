using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Reports;
using ClinicaDL.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Maps;

/// <summary>Where the learning rate is kept: the checkpoint's plateau state, training.tsv's learning_rate column, the report's chart.</summary>
public sealed class LearningRateRecordTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clinicadl-lr-").FullName;

    public LearningRateRecordTests() => TorchNatives.EnsureLoaded();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_checkpoint_gives_back_the_plateau_state_it_kept_including_an_infinite_best()
    {
        using var model = nn.Linear(3, 2);
        using var optimizer = optim.Adam(model.parameters(), 1e-3);
        var path = Path.Combine(_folder, "checkpoint.pt");
        foreach (var plateau in new PlateauReduction.State?[] { new(1e-4, 0.6931, 7, 0), new(1e-3, double.PositiveInfinity, 0, 0), null })
        {
            new Checkpoint { Epoch = 4, Best = new() { ["loss"] = 0.69 }, EpochsWithoutImprovement = 1, BestLoss = 0.69, Plateau = plateau }.Save(path, model, optimizer);
            Assert.Equal(plateau, Checkpoint.Load(path, model, optimizer).Plateau);
        }
    }

    [Fact]
    public void Training_tsv_ends_with_the_rate_each_epoch_trained_with_and_its_readers_still_work()
    {
        var path = Path.Combine(_folder, "training_logs", "training.tsv");
        var log = new TrainingLog(path, ["BA", "loss"]);
        log.Start();
        log.Append(0, 3, 1.5, 1e-3, new Dictionary<string, double> { ["BA"] = 0.5, ["loss"] = 0.7 }, new Dictionary<string, double> { ["BA"] = 0.6, ["loss"] = 0.69 });
        log.Append(1, 6, 3.0, 1e-3 * 0.1, new Dictionary<string, double> { ["BA"] = 0.7, ["loss"] = 0.6 }, new Dictionary<string, double> { ["BA"] = 0.6, ["loss"] = 0.65 });

        var table = TrainingLog.Read(path);
        Assert.Equal(["epoch", "iteration", "time", "BA_train", "loss_train", "BA_valid", "loss_valid", "learning_rate"], table.Columns);
        Assert.Equal(["0.001", "0.0001"], table.Rows.Select(r => r[^1]));
        Assert.Equal(1, TrainingLog.BestEpoch(table, "loss"));
        Assert.Equal(0, TrainingLog.BestEpoch(table, "BA"));
        log.TruncateAfter(0);
        Assert.Equal(["0.001"], TrainingLog.Read(path).Rows.Select(r => r[^1]));
    }

    [Fact]
    public void A_log_begun_without_the_learning_rate_column_is_refused_naming_the_file()
    {
        var path = Path.Combine(_folder, "training.tsv");
        File.WriteAllText(path, "epoch\titeration\ttime\tloss_train\tloss_valid\n0\t3\t1.0\t0.7\t0.69\n");
        var error = Assert.Throws<MapsException>(() => new TrainingLog(path, ["loss"]).Append(1, 6, 2, 1e-4,
            new Dictionary<string, double> { ["loss"] = 0.6 }, new Dictionary<string, double> { ["loss"] = 0.6 }));
        Assert.Contains(path, error.Message);
        Assert.Contains("learning_rate", error.Message);
    }

    /// <summary>ClinicaDL writes no learning_rate column; its logs are read as before, and the report draws no rate for them.</summary>
    [SkippableFact]
    public void A_clinicadl_training_tsv_without_the_column_is_still_read()
    {
        var log = TrainingLog.Read(TestData.Path("clinicadl-maps", "maps", "split-0", "training_logs", "training.tsv"));
        Assert.False(log.HasColumn(TrainingLog.LearningRateColumn));
        Assert.True(log.HasColumn("loss_valid"));
        // ClinicaDL 1.6.1 writes the header and, by default, no row: no best epoch to find.
        Assert.Empty(log.Rows);
        Assert.Equal(-1, TrainingLog.BestEpoch(log, "loss"));
    }

    [Fact]
    public void The_learning_rate_chart_starts_at_zero_and_labels_small_rates_in_scientific_notation()
    {
        var plot = ReportCharts.LearningRateCurvePlot("Split 0: learning rate", [0, 1, 2, 3], [1e-3, 1e-3, 1e-4, 1e-4]);
        var limits = plot.Axes.GetLimits();
        Assert.Equal(0, limits.Bottom);
        Assert.True(limits.Top > 1e-3 && limits.Top < 1.2e-3);
        var labels = Assert.IsType<ScottPlot.TickGenerators.NumericAutomatic>(plot.Axes.Left.TickGenerator).LabelFormatter;
        Assert.Equal("5E-04", labels(5e-4));
        Assert.Equal("1.25E-04", labels(1.25e-4));
        Assert.Equal("0", labels(0));
    }
}
