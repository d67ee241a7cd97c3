namespace ClinicaDL.Core.Splits;

/// <summary>
/// Draws the held-out participants as ClinicaDL does (a stratified shuffle split, redrawn until the age and sex
/// tests pass) but from one seed and with a bounded number of draws.
/// </summary>
internal static class HoldOutSplitter
{
    public static HoldOutPlan Plan(ParticipantTable table, HoldOutOptions options)
    {
        var participants = table.Participants;
        var subsetCount = options.TestSize >= 1 ? (int)options.TestSize : (int)(options.TestSize * participants.Count);
        if (options.TestSize < 0 || subsetCount >= participants.Count)
        {
            throw new SplitException($"A {options.SubsetName} size of {options.TestSize} leaves no participant for training ({participants.Count} participants).");
        }
        if (subsetCount == 0)
        {
            return new HoldOutPlan(new HashSet<string>(), 1, 1, 0);
        }
        var strata = Strata(participants);
        var allocation = Allocate(strata, subsetCount, options);
        var random = new Random(options.Seed);
        HoldOutPlan? best = null;
        var bestScore = double.NegativeInfinity;
        for (var attempt = 1; attempt <= options.MaxAttempts; attempt++)
        {
            var subset = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (stratum, members) in strata)
            {
                foreach (var participant in Shuffled(members, random).Take(allocation[stratum]))
                {
                    subset.Add(participant.Id);
                }
            }
            if (options.IgnoreDemographics)
            {
                return new HoldOutPlan(subset, double.NaN, double.NaN, attempt);
            }
            var inSubset = participants.Where(p => subset.Contains(p.Id)).ToList();
            var inTrain = participants.Where(p => !subset.Contains(p.Id)).ToList();
            var pAge = Demographics.AgePValue(Ages(inSubset), Ages(inTrain));
            var pSex = Demographics.SexPValue(inSubset.Select(p => p.Sex!).ToList(), inTrain.Select(p => p.Sex!).ToList());
            var plan = new HoldOutPlan(subset, pAge, pSex, attempt);
            if (pAge >= options.PAgeThreshold && pSex >= options.PSexThreshold)
            {
                return plan;
            }
            var score = Math.Min(pAge / Math.Max(options.PAgeThreshold, 1e-12), pSex / Math.Max(options.PSexThreshold, 1e-12));
            if (score > bestScore)
            {
                (best, bestScore) = (plan, score);
            }
        }
        throw new SplitException(
            $"No split of {participants.Count} participants ({subsetCount} in {options.SubsetName}) reached p(age) >= {options.PAgeThreshold} and p(sex) >= {options.PSexThreshold} " +
            $"in {options.MaxAttempts} draws with seed {options.Seed}; the best draw reached p(age) = {best!.PAge:F3} and p(sex) = {best.PSex:F3}. " +
            "Lower -PAgeThreshold / -PSexThreshold, raise -MaxAttempts, or use -IgnoreDemographics.");
    }

    /// <summary>
    /// Participants by stratum. As ClinicaDL's remove_unicity, a stratum with a single participant joins the
    /// first stratum (in sorted order), since it cannot be on both sides.
    /// </summary>
    internal static SortedDictionary<string, List<Participant>> Strata(IReadOnlyList<Participant> participants)
    {
        var strata = new SortedDictionary<string, List<Participant>>(StringComparer.Ordinal);
        foreach (var participant in participants)
        {
            (strata.TryGetValue(participant.Stratum, out var list) ? list : strata[participant.Stratum] = []).Add(participant);
        }
        foreach (var single in strata.Where(s => s.Value.Count == 1).Select(s => s.Key).ToList())
        {
            // A single merged into by an earlier one is no longer single; the last stratum has nowhere to go.
            if (strata.Count == 1 || strata[single].Count != 1)
            {
                continue;
            }
            var target = strata.Keys.First(k => k != single);
            strata[target].AddRange(strata[single]);
            strata.Remove(single);
        }
        return strata;
    }

    /// <summary>
    /// How many of each stratum go to the subset: proportional, rounded down, the remainder given to the strata
    /// with the largest fractions (as scikit-learn's StratifiedShuffleSplit). Every stratum must keep
    /// participants on both sides.
    /// </summary>
    private static Dictionary<string, int> Allocate(SortedDictionary<string, List<Participant>> strata, int subsetCount, HoldOutOptions options)
    {
        var total = strata.Values.Sum(s => s.Count);
        var exact = strata.ToDictionary(s => s.Key, s => (double)s.Value.Count * subsetCount / total);
        var allocation = exact.ToDictionary(e => e.Key, e => (int)Math.Floor(e.Value));
        var remainder = subsetCount - allocation.Values.Sum();
        foreach (var stratum in exact.OrderByDescending(e => e.Value - Math.Floor(e.Value)).ThenBy(e => e.Key, StringComparer.Ordinal).Take(remainder))
        {
            allocation[stratum.Key]++;
        }
        foreach (var (stratum, count) in allocation)
        {
            if (count == 0 || count == strata[stratum].Count)
            {
                throw new SplitException(
                    $"A {options.SubsetName} size of {options.TestSize} ({subsetCount} of {total} participants) leaves the '{stratum}' class ({strata[stratum].Count} participants) " +
                    $"empty in {(count == 0 ? options.SubsetName : "train")}; choose a {(count == 0 ? "larger" : "smaller")} size.");
            }
        }
        return allocation;
    }

    internal static List<Participant> Shuffled(List<Participant> members, Random random)
    {
        var copy = members.ToList();
        for (var i = copy.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (copy[i], copy[j]) = (copy[j], copy[i]);
        }
        return copy;
    }

    private static List<double> Ages(List<Participant> participants) => participants.Where(p => p.Age is not null).Select(p => p.Age!.Value).ToList();
}
