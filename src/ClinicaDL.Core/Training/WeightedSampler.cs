using System.Globalization;

namespace ClinicaDL.Core.Training;

/// <summary>
/// ClinicaDL's weighted sampler: as many draws as samples, with replacement, each sample weighted 1 / the count of
/// its class, so every class is drawn about equally often (regression: 5 equal-width bins of the label).
/// </summary>
public static class WeightedSampler
{
    /// <summary>The class of each sample: its label, or for regression the bin of its value.</summary>
    public static List<string> Classes(TrainingTask task, IReadOnlyList<LabeledImage> samples) => task == TrainingTask.Classification
        ? samples.Select(s => s.Label!).ToList()
        : Bins(samples.Select(s => double.Parse(s.Label!, CultureInfo.InvariantCulture)).ToList());

    /// <summary>Sample indices drawn by inverse-class-frequency weights from <paramref name="random"/>.</summary>
    public static List<int> Draw(IReadOnlyList<string> classes, Random random)
    {
        var counts = classes.GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        var weights = classes.Select(c => 1.0 / counts[c]).ToArray();
        var total = weights.Sum();
        var cumulative = new double[weights.Length];
        var running = 0.0;
        for (var i = 0; i < weights.Length; i++)
        {
            running += weights[i] / total;
            cumulative[i] = running;
        }
        return Enumerable.Range(0, classes.Count).Select(_ =>
        {
            var index = Array.BinarySearch(cumulative, random.NextDouble());
            return Math.Min(index < 0 ? ~index : index, classes.Count - 1);
        }).ToList();
    }

    private static List<string> Bins(List<double> values)
    {
        double min = values.Min(), width = (values.Max() - min) / 5;
        return values.Select(v => width == 0 ? "0" : Math.Min(4, (int)((v - min) / width)).ToString(CultureInfo.InvariantCulture)).ToList();
    }
}
