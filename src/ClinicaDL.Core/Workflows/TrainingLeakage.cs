using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Splits;
using ClinicaDL.Core.Training;

namespace ClinicaDL.Core.Workflows;

/// <summary>The leakage checks that apply to the splits of a training, before anything is written.</summary>
public static class TrainingLeakage
{
    /// <summary>
    /// Refuses splits that fail the checks (naming the participants), unless the configuration's override is set:
    /// then the findings are returned, to be recorded in the MAPS, and logged.
    /// </summary>
    public static IReadOnlyList<string> Check(TrainingConfig config, IReadOnlyList<SplitDefinition> splits, Action<string> log)
    {
        var audit = DataLeakageAuditor.AuditTraining(splits.Select(s => s.Folder).ToList(), SplitDefinition.TrainFile(config), SplitDefinition.ValidationFile(config));
        var findings = audit.Findings.ToList();
        if (config.SsdaNetwork)
        {
            var targetSplits = SplitDefinition.Read(config.TsvTargetLab, config).Where(t => splits.Any(s => s.Index == t.Index)).Select(t => t.Folder).ToList();
            findings.AddRange(DataLeakageAuditor.AuditDomainAdaptation(splits.Select(s => s.Folder).ToList(), targetSplits, SplitDefinition.TrainFile(config),
                SplitDefinition.ValidationFile(config), config.TsvTargetUnlab).Findings);
        }
        var errors = findings.Where(f => f.Severity == "Error").Select(f => $"{f.Kind}: {f.Message} Participants: {string.Join(", ", f.Participants.Take(20))}{(f.Participants.Count > 20 ? ", ..." : "")}").ToList();
        if (errors.Count > 0 && !config.DataLeakageOverride)
        {
            throw new DataLeakageException(
                $"The split '{config.TsvPath}'{(config.SsdaNetwork ? $" with the target data ('{config.TsvTargetLab}', '{config.TsvTargetUnlab}')" : "")} fails the leakage checks a training needs, so nothing was written: {string.Join(" ", errors)} " +
                "Fix the split (New-ClinicaDLSplit makes leak-free ones; Test-ClinicaDLDataLeakage audits a tree), or train anyway with -AllowDataLeakage, which is recorded in the MAPS.",
                findings.SelectMany(f => f.Participants).Distinct().Order(StringComparer.Ordinal).ToList());
        }
        foreach (var error in errors)
        {
            log($"Data leakage allowed by the override: {error}");
        }
        return errors;
    }
}
