namespace ClinicaDL.Core.Maps;

/// <summary>
/// Why a split's training.tsv holds a header and no epoch row, so that a log read as nothing says why instead of
/// staying silent. ClinicaDL 1.6 writes rows only at evaluation steps inside an epoch, never at an epoch's end,
/// so its default evaluation_steps = 0 leaves the log empty (its known bug); this module writes one row per epoch,
/// so an empty log of its own means no epoch finished.
/// </summary>
public static class EmptyTrainingLog
{
    public static string Explain(string logPath, MapsFolder maps)
    {
        var evaluationSteps = maps.Description["evaluation_steps"] is System.Text.Json.Nodes.JsonValue steps && steps.TryGetValue<int>(out var n) ? n : (int?)null;
        // bootstrap_resamples is this module's own key: ClinicaDL's maps.json never has it.
        var writtenByClinicaDL = maps.Description["bootstrap_resamples"] is null;
        var cause = writtenByClinicaDL && evaluationSteps is 0
            ? "ClinicaDL 1.6 writes a row only at evaluation steps inside an epoch, and this MAPS was trained with evaluation_steps = 0 " +
              "(ClinicaDL 1.6's known bug: its default leaves the log empty). The best models' results are in best-<metric>/ (Get-MapsResult)."
            : writtenByClinicaDL
                ? "the training that wrote it logged no evaluation step."
                : "no epoch of this split finished (the training stopped, or is still running, before the end of its first epoch).";
        return $"'{logPath}' has a header and no epoch row: {cause}";
    }
}
