namespace ClinicaDL.Core.Generation;

/// <summary>
/// Who the synthetic participants are: diagnosis (balanced across the requested ones), age and sex drawn
/// independently of it so splits can balance them, and the latent disease course that sets each session's
/// severity. MCI participants progress and some convert to AD at a later session.
/// </summary>
internal sealed record SyntheticParticipant(string Id, string BaselineDiagnosis, double BaselineAge, string Sex, double Stage, double Rate, PhantomAnatomy Anatomy, int Seed);

internal static class SyntheticPlan
{
    public static List<SyntheticParticipant> Participants(SyntheticOptions options)
    {
        var random = new Random(options.Seed);
        var order = Enumerable.Range(0, options.ParticipantCount).OrderBy(_ => random.Next()).ToArray();
        var participants = new List<SyntheticParticipant>();
        for (var p = 0; p < options.ParticipantCount; p++)
        {
            var diagnosis = options.Diagnoses[order[p] % options.Diagnoses.Count];
            var age = Math.Clamp(72 + 6 * PhantomAnatomy.Gaussian(random), 55, 90);
            var sex = random.NextDouble() < 0.5 ? "F" : "M";
            // Disease stage on a 0..1 scale: AD 0.6-1, MCI 0.2-0.45, CN 0; yearly progression.
            var (stage, rate) = diagnosis switch
            {
                "AD" => (0.6 + 0.4 * random.NextDouble(), 0.08),
                "MCI" => (0.2 + 0.25 * random.NextDouble(), random.NextDouble() < 0.4 ? 0.15 : 0.03),
                _ => (0.0, 0.0),
            };
            participants.Add(new SyntheticParticipant($"sub-{p + 1:D3}", diagnosis, Math.Round(age, 1), sex, stage, rate,
                PhantomAnatomy.Draw(random), random.Next()));
        }
        return participants;
    }

    /// <summary>An MCI participant whose stage passes 0.55 has converted to AD.</summary>
    public static string Diagnosis(SyntheticParticipant participant, double stage) =>
        participant.BaselineDiagnosis == "MCI" && stage >= 0.55 ? "AD" : participant.BaselineDiagnosis;
}
