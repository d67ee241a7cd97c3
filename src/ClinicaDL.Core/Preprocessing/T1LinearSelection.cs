using System.Globalization;
using ClinicaDL.Core.Datasets;

namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// The raw T1w images of a BIDS dataset that t1-linear takes: one per session, the highest run when a session
/// has several (as Clinica picks), only plain T1w images (no contrast agent, reconstruction or echo variants).
/// </summary>
public static class T1LinearSelection
{
    private static readonly string[] VariantEntities = ["ce", "rec", "echo", "part", "inv", "mt", "flip"];

    /// <param name="scan">The dataset, scanned for T1w images.</param>
    /// <param name="requested">Participants (with an optional session each) to keep; empty for all.</param>
    /// <returns>The inputs, and one exception per participant or session asked for (or found) without a usable T1w.</returns>
    public static (IReadOnlyList<T1LinearInput> Inputs, IReadOnlyList<T1wNotFoundException> Missing) Select(BidsScan scan,
        IReadOnlyCollection<(string ParticipantId, string? SessionId)> requested)
    {
        var inputs = new List<T1LinearInput>();
        var missing = new List<T1wNotFoundException>();
        var wanted = scan.Sessions.Where(s => requested.Count == 0
            || requested.Any(r => r.ParticipantId == s.ParticipantId && (r.SessionId is null || r.SessionId == s.SessionId))).ToList();
        foreach (var request in requested.Where(r => !wanted.Any(s => s.ParticipantId == r.ParticipantId && (r.SessionId is null || r.SessionId == s.SessionId))))
        {
            var name = request.SessionId is null ? request.ParticipantId : $"{request.ParticipantId} {request.SessionId}";
            missing.Add(new T1wNotFoundException(name, $"{name} is not in the BIDS dataset {scan.DatasetPath}."));
        }
        foreach (var session in wanted)
        {
            var name = $"{session.ParticipantId} {session.SessionId}".TrimEnd();
            if (session.SessionId is null)
            {
                missing.Add(new T1wNotFoundException(name,
                    $"{session.ParticipantId} of {scan.DatasetPath} has no session folder: a CAPS names every output by session (sub-X/ses-Y), as Clinica requires; put the images under a ses- folder."));
                continue;
            }
            var candidates = session.Images.Where(i => i.Suffix == "T1w" && i.Datatype == "anat" && !VariantEntities.Any(i.Entities.ContainsKey)).ToList();
            if (candidates.Count == 0)
            {
                missing.Add(new T1wNotFoundException(name, $"{name} of {scan.DatasetPath} has no anat/*_T1w.nii[.gz] image to preprocess."));
                continue;
            }
            var chosen = candidates.OrderBy(i => i.Entities.TryGetValue("run", out var run) && int.TryParse(run, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0)
                .ThenBy(i => i.Path, StringComparer.Ordinal).Last();
            inputs.Add(new T1LinearInput(session.ParticipantId, session.SessionId, chosen.Path));
        }
        return (inputs, missing);
    }
}
