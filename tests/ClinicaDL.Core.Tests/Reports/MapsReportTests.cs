using ClinicaDL.Core.Reports;
using ClinicaDL.Core.Training;

namespace ClinicaDL.Core.Tests.Reports;

public sealed class MapsReportTests
{
    [Fact]
    public void Metric_tables_put_the_selection_metrics_first_and_hold_at_most_eight_columns()
    {
        var tables = MapsReport.MetricTables(["loss", "BA"], [.. Metrics.ClassificationNames, "loss"]);

        Assert.Equal(2, tables.Count);
        Assert.Equal(["loss", "BA", "AUC", "sensitivity", "specificity", "accuracy", "F1_score", "PPV"], tables[0]);
        Assert.Equal(["NPV", "MCC", "MK", "LR_plus", "LR_minus"], tables[1]);
    }

    [Fact]
    public void Metric_tables_keep_every_metric_once_with_unknown_ones_last()
    {
        var tables = MapsReport.MetricTables(["MAE"], ["SSIM", "zeta", "MAE", "alpha", "PSNR", "RMSE"]);

        Assert.Equal(["MAE", "RMSE", "PSNR", "SSIM", "alpha", "zeta"], Assert.Single(tables));
    }

    [Fact]
    public void Per_class_metrics_of_a_multi_class_run_spread_over_tables_of_eight()
    {
        string[] perClass = [.. Metrics.ClassificationNames.SelectMany(m => new[] { m, $"{m}-0", $"{m}-1", $"{m}-2" }), "loss"];

        var tables = MapsReport.MetricTables(["BA"], perClass);

        Assert.All(tables, t => Assert.InRange(t.Count, 1, MapsReport.MetricsPerTable));
        Assert.Equal(perClass.Order(StringComparer.Ordinal), tables.SelectMany(t => t).Order(StringComparer.Ordinal));
        Assert.Equal("BA", tables[0][0]);
    }

    [SkippableFact]
    public void A_MAPS_written_by_ClinicaDL_is_reported_though_its_tables_have_no_AUC()
    {
        Skip.If(TestData.Root is null, TestData.SkipMessage);
        TorchNatives.EnsureLoaded();
        var output = Directory.CreateTempSubdirectory("clinicadl-report-").FullName;
        try
        {
            var result = MapsReport.Write(TestData.Path("clinicadl-maps", "maps"), Path.Combine(output, "report"));
            // ClinicaDL's test group (best-loss) and both selection metrics' train and validation groups each get a ROC curve.
            Assert.Equal(5, Directory.EnumerateFiles(Path.Combine(output, "report"), "*_roc.png", SearchOption.AllDirectories).Count());
            Assert.Contains("split-0_best-loss_test", File.ReadAllText(Path.Combine(output, "report", "report.html")), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
