using System.Globalization;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Training;

namespace ClinicaDL.Core.Maps;

/// <summary>
/// split-&lt;k&gt;/training_logs/training.tsv with ClinicaDL's columns: epoch, iteration, time, then each metric
/// with _train, then with _valid, then our learning_rate (the rate the epoch trained with; ClinicaDL reads columns
/// by name, and a log without it, as ClinicaDL writes, is read as before). One row per epoch (ClinicaDL 1.6 writes
/// none by default, a regression this module does not copy). Rewritten atomically at each epoch so it never holds a
/// half row.
/// </summary>
internal sealed class TrainingLog(string path, IReadOnlyList<string> metrics)
{
    public const string LearningRateColumn = "learning_rate";

    private List<string> Columns => ["epoch", "iteration", "time", .. metrics.Select(m => $"{m}_train"), .. metrics.Select(m => $"{m}_valid"), LearningRateColumn];

    public void Start()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        new TsvTable(Columns, []).Write(path);
    }

    public void Append(int epoch, int iteration, double seconds, double learningRate, IReadOnlyDictionary<string, double> train, IReadOnlyDictionary<string, double> validation)
    {
        var invariant = CultureInfo.InvariantCulture;
        var existing = File.Exists(path) ? TsvTable.Read(path) : null;
        if (existing is not null && !existing.Columns.SequenceEqual(Columns))
        {
            // A log begun by an earlier build (without learning_rate) would gain rows of another shape.
            throw new MapsException($"'{path}' has the columns {string.Join(", ", existing.Columns)}; this training writes {string.Join(", ", Columns)}. " +
                "It was begun by another version: train this split again.");
        }
        string?[] row = [epoch.ToString(invariant), iteration.ToString(invariant), seconds.ToString("F3", invariant),
            .. metrics.Select(m => train[m].ToString("R", invariant)), .. metrics.Select(m => validation[m].ToString("R", invariant)), learningRate.ToString("R", invariant)];
        new TsvTable(Columns, (existing?.Rows ?? []).Append(row)).Write(path);
    }

    /// <summary>Drops the rows of epochs after the last checkpoint, which a resumed run writes again.</summary>
    public void TruncateAfter(int epoch)
    {
        var table = TsvTable.Read(path);
        new TsvTable(table.Columns, table.Rows.Where(r => int.Parse(r[0]!, CultureInfo.InvariantCulture) <= epoch)).Write(path);
    }

    public static TsvTable Read(string path) => TsvTable.Read(path);

    /// <summary>The epoch whose validation value of a selection metric is the first strict best, as best-&lt;metric&gt;/ keeps it.</summary>
    public static int BestEpoch(TsvTable log, string metric)
    {
        var column = log.IndexOf($"{metric}_valid");
        var lower = metric == "loss" || Metrics.LowerIsBetter(metric);
        var best = -1;
        var bestValue = lower ? double.PositiveInfinity : double.NegativeInfinity;
        foreach (var row in log.Rows)
        {
            var value = double.Parse(row[column]!, CultureInfo.InvariantCulture);
            if (lower ? value < bestValue : value > bestValue)
            {
                (best, bestValue) = (int.Parse(row[0]!, CultureInfo.InvariantCulture), value);
            }
        }
        return best;
    }
}
