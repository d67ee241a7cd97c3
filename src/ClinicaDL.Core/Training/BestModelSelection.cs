namespace ClinicaDL.Core.Training;

/// <summary>
/// Which epoch's model each selection metric keeps: the first whose validation value strictly beats every earlier
/// one (lower for the loss and error metrics, higher for the others), as ClinicaDL's best-&lt;metric&gt;/ folders.
/// Its state goes into the checkpoint so a resumed run keeps the same models.
/// </summary>
public sealed class BestModelSelection
{
    private readonly IReadOnlyList<string> _metrics;
    private Dictionary<string, double> _best;

    public BestModelSelection(IReadOnlyList<string> metrics)
    {
        _metrics = metrics;
        _best = metrics.ToDictionary(m => m, m => Metrics.LowerIsBetter(m) ? double.PositiveInfinity : double.NegativeInfinity);
    }

    /// <summary>The best validation value of each metric so far.</summary>
    public Dictionary<string, double> Best => new(_best);

    /// <summary>Takes the state a checkpoint kept.</summary>
    public void Restore(IReadOnlyDictionary<string, double> best) => _best = new Dictionary<string, double>(best);

    /// <summary>The metrics, in the configuration's order, that this epoch's validation values improve (their best is updated).</summary>
    public IReadOnlyList<string> Improve(IReadOnlyDictionary<string, double> validation)
    {
        var improved = new List<string>();
        foreach (var metric in _metrics)
        {
            var current = validation[metric];
            if (Metrics.LowerIsBetter(metric) ? current < _best[metric] : current > _best[metric])
            {
                _best[metric] = current;
                improved.Add(metric);
            }
        }
        return improved;
    }
}
