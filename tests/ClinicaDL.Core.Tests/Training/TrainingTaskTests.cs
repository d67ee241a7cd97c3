using ClinicaDL.Core.Training;

namespace ClinicaDL.Core.Tests.Training;

/// <summary>The three tasks' defaults, as ClinicaDL's task managers set them, and the refusal of any other name.</summary>
public sealed class TrainingTaskTests
{
    [Theory]
    [InlineData("classification", "Conv5_FC3", "diagnosis", "CrossEntropyLoss", "BA", true)]
    [InlineData("regression", "Conv5_FC3", "age", "MSELoss", "MAE", true)]
    [InlineData("reconstruction", "AE_Conv5_FC3", "diagnosis", "MSELoss", "SSIM", false)]
    public void Each_task_has_ClinicaDLs_defaults(string name, string network, string label, string loss, string metric, bool labels)
    {
        var task = TrainingTask.Parse(name);
        Assert.Equal(name, task.Name);
        Assert.Equal(network, task.DefaultArchitecture);
        Assert.Equal(label, task.DefaultLabel);
        Assert.Equal(loss, task.Losses[0]);
        Assert.Contains(metric, task.MetricNames);
        Assert.Equal(labels, task.NeedsLabels);
        var config = new TrainingConfig { NetworkTask = name };
        Assert.Equal((network, label, loss), (config.ResolvedArchitecture, config.ResolvedLabel, config.ResolvedLoss));
    }

    [Fact]
    public void Output_size_is_the_class_count_for_classification_and_one_otherwise()
    {
        var codes = new Dictionary<string, int> { ["AD"] = 0, ["CN"] = 1, ["MCI"] = 2 };
        Assert.Equal([3, 1, 1], TrainingTask.All.Select(t => t.OutputSize(codes)));
    }

    [Fact]
    public void An_unknown_task_is_refused_naming_the_three()
    {
        var error = Assert.Throws<ArgumentException>(() => new TrainingConfig { NetworkTask = "segmentation" }.Validate());
        Assert.Equal("Task 'segmentation' is not classification, regression or reconstruction.", error.Message);
    }
}
