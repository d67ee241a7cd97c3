namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// The part of a run's images that one of several processes preprocesses (a SLURM array task, a local child process):
/// the images ordered by participant, then session, then source path (ordinal), cut into <c>chunkCount</c> contiguous
/// runs whose sizes differ by at most one, the longer ones first. Contiguous rather than round robin: a participant's
/// sessions stay in one process, so no two processes create the same participant's folders, and each chunk is one
/// range of participants, which tells at a glance which task wrote (or failed to write) which part of a CAPS; the
/// images take about the same time each, so round robin would balance no better. Every process computes the same
/// partition from the same inputs, so the chunks are disjoint and together are the whole run.
/// </summary>
public static class T1LinearChunk
{
    /// <summary>The images of chunk <paramref name="chunk"/> (0-based) of <paramref name="chunkCount"/>; empty when there are more chunks than images.</summary>
    /// <exception cref="ArgumentException">A chunk count below 1, or a chunk outside 0..chunkCount-1.</exception>
    public static IReadOnlyList<T1LinearInput> Select(IReadOnlyList<T1LinearInput> inputs, int chunk, int chunkCount)
    {
        Check(chunk, chunkCount);
        var ordered = inputs.OrderBy(i => i.ParticipantId, StringComparer.Ordinal).ThenBy(i => i.SessionId, StringComparer.Ordinal)
            .ThenBy(i => i.Path, StringComparer.Ordinal).ToList();
        var (start, count) = Range(ordered.Count, chunk, chunkCount);
        return ordered.GetRange(start, count);
    }

    /// <summary>Images per SLURM task when no chunk count is given: about two minutes of work each, against a task's start-up of seconds.</summary>
    private const int ImagesPerSlurmTask = 10;

    /// <summary>
    /// How many chunks a job of <paramref name="imageCount"/> images runs: <paramref name="requested"/> when given, else
    /// one per local child process (<paramref name="throttle"/>) or, on SLURM, one per 10 images; never more than the images.
    /// </summary>
    public static int PartCount(int imageCount, int? requested, bool slurm, int throttle) =>
        Math.Max(1, Math.Min(imageCount, requested ?? (slurm ? (imageCount + ImagesPerSlurmTask - 1) / ImagesPerSlurmTask : throttle)));

    /// <summary>Refuses a chunk count below 1 or a chunk outside 0..chunkCount-1, before anything is read.</summary>
    /// <exception cref="ArgumentException">The chunk or the count cannot be used.</exception>
    public static void Check(int chunk, int chunkCount)
    {
        if (chunkCount < 1)
        {
            throw new ArgumentException($"The chunk count is {chunkCount}; it must be at least 1 (the number of processes sharing the images).", nameof(chunkCount));
        }
        if (chunk < 0 || chunk >= chunkCount)
        {
            throw new ArgumentException($"Chunk {chunk} does not exist: chunks are numbered from 0 to {chunkCount - 1} when there are {chunkCount}.", nameof(chunk));
        }
    }

    /// <summary>Where chunk <paramref name="chunk"/> starts in the ordered images, and how many it holds.</summary>
    private static (int Start, int Count) Range(int total, int chunk, int chunkCount)
    {
        var size = total / chunkCount;
        var longer = total % chunkCount;
        return (chunk * size + Math.Min(chunk, longer), size + (chunk < longer ? 1 : 0));
    }
}
