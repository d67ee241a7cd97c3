namespace ClinicaDL.Core.Splits;

/// <summary>
/// Stratified k-fold over participants: each stratum is shuffled (from the seed) and dealt across the folds in
/// turn, continuing where the previous stratum stopped, so every fold gets each class in near-equal share and
/// every participant is held out exactly once.
/// </summary>
internal static class KFoldSplitter
{
    public static List<IReadOnlySet<string>> Plan(ParticipantTable table, KFoldOptions options)
    {
        var participants = table.Participants;
        if (options.Folds < 2 || options.Folds > participants.Count)
        {
            throw new SplitException($"{options.Folds} folds cannot be made from {participants.Count} participants; choose between 2 and {participants.Count}.");
        }
        var folds = Enumerable.Range(0, options.Folds).Select(_ => new HashSet<string>(StringComparer.Ordinal)).ToList();
        var random = new Random(options.Seed);
        var next = 0;
        foreach (var (_, members) in HoldOutSplitter.Strata(participants))
        {
            foreach (var participant in HoldOutSplitter.Shuffled(members, random))
            {
                folds[next].Add(participant.Id);
                next = (next + 1) % options.Folds;
            }
        }
        return folds.Cast<IReadOnlySet<string>>().ToList();
    }
}
