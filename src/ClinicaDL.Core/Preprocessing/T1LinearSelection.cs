using System.Globalization;
using ClinicaDL.Core.Datasets;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// The raw T1w images of a BIDS dataset that t1-linear takes: one per session, the highest run when a session
/// has several (as Clinica picks), only plain T1w images (no contrast agent, reconstruction or echo variants).
/// </summary>
public static class T1LinearSelection
{
    private static readonly string[] VariantEntities = ["ce", "rec", "echo", "part", "inv", "mt", "flip"];

    /// <summary>
    /// The sessions a TSV lists (participant_id and session_id columns, as Clinica's -tsv/--subjects_sessions_tsv), as
    /// requests for <see cref="Select"/>: the command-line form of sessions piped from Import-BidsDataset.
    /// </summary>
    /// <exception cref="InvalidTableException">A column is missing, a row lacks either value, or the file lists no session.</exception>
    public static IReadOnlyList<(string ParticipantId, string? SessionId)> ReadRequests(string tsvPath)
    {
        var table = TsvTable.Read(tsvPath);
        table.Require("participant_id", "session_id");
        int participant = table.IndexOf("participant_id"), session = table.IndexOf("session_id");
        var requests = new List<(string, string?)>();
        for (var row = 0; row < table.Rows.Count; row++)
        {
            var cells = table.Rows[row];
            if (TsvTable.IsMissing(cells[participant]) || TsvTable.IsMissing(cells[session]))
            {
                throw new InvalidTableException($"'{table.Path}', line {TsvTable.LineOf(row)}: participant_id and session_id must both be given.", table.Path);
            }
            requests.Add((cells[participant]!, cells[session]));
        }
        if (requests.Count == 0)
        {
            throw new InvalidTableException($"'{table.Path}' lists no session: give at least one participant_id and session_id, or leave out the file to take every session.", table.Path);
        }
        return requests;
    }

    /// <summary>Writes the sessions of <paramref name="inputs"/> as <see cref="ReadRequests"/> reads them: what each part of a job preprocesses from.</summary>
    public static void WriteRequests(string tsvPath, IEnumerable<T1LinearInput> inputs) =>
        new TsvTable(["participant_id", "session_id"], inputs.Select(i => new string?[] { i.ParticipantId, i.SessionId })).Write(tsvPath);

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
