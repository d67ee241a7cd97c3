namespace ClinicaDL.Core.Training;

/// <summary>
/// The class codes of a classification: those of the configuration, or, when it has none, the labels of the first
/// split's training set in ordinal order (0, 1...). Every split must use only labels its codes know, and there must
/// be two at least: a classifier cannot learn a class it never sees.
/// </summary>
public static class LabelCoding
{
    public static void Resolve(TrainingConfig config, IReadOnlyList<(int Split, DataGroup Train, DataGroup Validation)> groups)
    {
        if (config.Task != TrainingTask.Classification)
        {
            return;
        }
        if (config.LabelCode.Count == 0)
        {
            var labels = groups[0].Train.Images.Select(i => i.Label!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            config.LabelCode = labels.Select((label, code) => (label, code)).ToDictionary(p => p.label, p => p.code);
        }
        foreach (var group in groups)
        {
            var absent = group.Train.Images.Concat(group.Validation.Images).Select(i => i.Label!).Distinct().Where(l => !config.LabelCode.ContainsKey(l)).ToList();
            if (absent.Count > 0)
            {
                throw new Tables.InvalidTableException(
                    $"Split {group.Split} has label(s) {string.Join(", ", absent)} that the training set of split {groups[0].Split} lacks (labels: {string.Join(", ", config.LabelCode.Keys)}); a classifier cannot learn a class it never sees.");
            }
        }
        if (config.LabelCode.Count < 2)
        {
            throw new Tables.InvalidTableException($"Classification needs at least two labels in the training set; it has {string.Join(", ", config.LabelCode.Keys)}.");
        }
    }
}
