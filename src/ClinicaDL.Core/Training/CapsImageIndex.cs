using ClinicaDL.Core.Datasets;
using ClinicaDL.Core.Selection;

namespace ClinicaDL.Core.Training;

/// <summary>
/// The images of one CAPS for one preprocessing, by (participant, session): the CAPS is scanned once per run,
/// however many splits and groups look images up in it.
/// </summary>
public sealed class CapsImageIndex
{
    private readonly Dictionary<(string Participant, string Session), string> _paths;

    private CapsImageIndex(string directory, CapsQuery query, Dictionary<(string, string), string> paths)
    {
        Directory = directory;
        Preprocessing = query.Preprocessing;
        SearchPattern = CapsDataset.SearchPattern(query);
        _paths = paths;
    }

    public string Directory { get; }
    public string Preprocessing { get; }

    /// <summary>Where the images were looked for, for messages about a session without one.</summary>
    public string SearchPattern { get; }

    /// <summary>Indexes the CAPS; one without any image of the query is refused, listing the kinds of image it has.</summary>
    public static CapsImageIndex Scan(string capsDirectory, CapsQuery query)
    {
        var images = CapsDataset.Find(capsDirectory, query);
        return images.Count == 0
            ? throw new NotFoundException(CapsDataset.NoImage(capsDirectory, query))
            : new(capsDirectory, query, images.ToDictionary(i => (i.ParticipantId, i.SessionId), i => i.Path));
    }

    public bool TryGetPath(string participant, string session, out string path) => _paths.TryGetValue((participant, session), out path!);
}
