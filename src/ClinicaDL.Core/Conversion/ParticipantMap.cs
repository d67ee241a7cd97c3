using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Conversion;

/// <summary>
/// Which BIDS participant and session a series belongs to: rows of a mapping table (DICOM PatientID, optionally
/// StudyDate, to participant_id and optionally session_id), then the defaults given as parameters. A row without
/// StudyDate covers every study of its patient; a row without session_id takes the default session.
/// </summary>
public sealed class ParticipantMap
{
    private static readonly string[] Columns = ["PatientID", "StudyDate", "participant_id", "session_id"];

    private readonly List<(string PatientId, string? StudyDate, string Participant, string? Session)> _rows = [];

    public ParticipantMap(string? defaultParticipant = null, string? defaultSession = null)
    {
        DefaultParticipant = defaultParticipant is null ? null : BidsNaming.Label(defaultParticipant, "sub");
        DefaultSession = defaultSession is null ? null : BidsNaming.Label(defaultSession, "ses");
    }

    public string? DefaultParticipant { get; }

    public string? DefaultSession { get; }

    public int Count => _rows.Count;

    /// <summary>Adds mapping rows (column name -> value); <paramref name="source"/> names them in messages.</summary>
    public void Add(IEnumerable<IReadOnlyDictionary<string, string?>> rows, string source)
    {
        var line = 0;
        foreach (var row in rows)
        {
            line++;
            var unknown = row.Keys.FirstOrDefault(k => !Columns.Contains(k, StringComparer.OrdinalIgnoreCase));
            if (unknown is not null)
            {
                throw new ArgumentException($"The participant mapping '{source}' has a column '{unknown}'; its columns are {string.Join(", ", Columns)} (PatientID and participant_id required).");
            }
            string? Cell(string column) => row.FirstOrDefault(p => p.Key.Equals(column, StringComparison.OrdinalIgnoreCase)).Value is { } v && !TsvTable.IsMissing(v.Trim()) ? v.Trim() : null;
            var patient = Cell("PatientID") ?? throw new ArgumentException($"The participant mapping '{source}', row {line}: PatientID is missing.");
            var participant = Cell("participant_id") ?? throw new ArgumentException($"The participant mapping '{source}', row {line}: participant_id is missing.");
            var session = Cell("session_id");
            _rows.Add((patient, Cell("StudyDate") is { } date ? Digits(date) : null, BidsNaming.Label(participant, "sub"), session is null ? null : BidsNaming.Label(session, "ses")));
        }
    }

    /// <summary>Reads a TSV (or CSV) mapping file.</summary>
    public void AddFile(string path)
    {
        var table = TsvTable.Read(path);
        Add(table.Rows.Select(r => (IReadOnlyDictionary<string, string?>)table.Columns.Select((c, i) => (c, r[i])).ToDictionary(p => p.c, p => p.Item2)), path);
    }

    /// <summary>The participant and session labels (without sub-/ses-) of a patient's study, or null when nothing maps it.</summary>
    public (string Participant, string? Session)? Resolve(string? patientId, string? studyDate)
    {
        var date = studyDate is null ? null : Digits(studyDate);
        var row = _rows.FirstOrDefault(r => r.PatientId == patientId && r.StudyDate is not null && r.StudyDate == date);
        if (row.Participant is null)
        {
            row = _rows.FirstOrDefault(r => r.PatientId == patientId && r.StudyDate is null);
        }
        if (row.Participant is not null)
        {
            return (row.Participant, row.Session ?? DefaultSession);
        }
        return DefaultParticipant is null ? null : (DefaultParticipant, DefaultSession);
    }

    private static string Digits(string date) => new(date.Where(char.IsAsciiDigit).ToArray());
}
