using ClinicaDL.Core.IO;

namespace ClinicaDL.Core.Maps;

/// <summary>
/// Who writes what in a MAPS that several processes train at once (splits as SLURM tasks or local child processes):
/// the shared files (maps.json, groups/, environment.txt, information.log) under the MAPS' own lock, held only while
/// they are created or joined; each split-&lt;k&gt;/ by the one process that holds its lock (<c>.split-k.lock</c> in the
/// MAPS) for the whole of its training; evaluation and interpretation, which read every split's models and write
/// under them, hold the MAPS and every split.
/// </summary>
public static class MapsWriting
{
    /// <summary>How long a writer waits for another process creating or joining the shared files: they take seconds.</summary>
    private static readonly TimeSpan SharedFilesWait = TimeSpan.FromMinutes(5);

    /// <summary>The lock of the MAPS' shared files, waited for while another process holds it.</summary>
    public static OutputLock SharedFiles(string mapsRoot, Action<string>? log) => OutputLock.Acquire(mapsRoot, log, SharedFilesWait);

    /// <summary>The locks of <paramref name="splits"/>' folders, all or none: one held by a live process is refused, naming it.</summary>
    public static IDisposable Splits(string mapsRoot, IEnumerable<int> splits, Action<string>? log)
    {
        var held = new List<OutputLock>();
        try
        {
            foreach (var split in splits)
            {
                held.Add(OutputLock.Acquire(new SplitLayout(mapsRoot, split).Root, log));
            }
        }
        catch
        {
            held.ForEach(l => l.Dispose());
            throw;
        }
        return new Held(held);
    }

    /// <summary>The MAPS and all its splits, for a writer of results under every split (prediction, interpretation).</summary>
    public static IDisposable Whole(MapsLayout maps, Action<string>? log)
    {
        var shared = OutputLock.Acquire(maps.Root, log);
        try
        {
            return new Held([shared, Splits(maps.Root, maps.Splits(), log)]);
        }
        catch
        {
            shared.Dispose();
            throw;
        }
    }

    /// <summary>The live processes training a split of the MAPS ("split 1: process 12 on node3, since ..."), which a replacement must not remove.</summary>
    /// <remarks>Found by their lock files, not by the split folders: a split is locked before its folder is made.</remarks>
    public static IReadOnlyList<string> LiveSplitWriters(MapsLayout maps) => !Directory.Exists(maps.Root) ? [] :
        Directory.EnumerateFiles(maps.Root, ".split-*.lock").Select(f => Path.GetFileName(f)[".split-".Length..^".lock".Length])
            .Select(n => int.TryParse(n, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var split) ? (int?)split : null).OfType<int>().Order()
            .Select(s => (Split: s, Holder: OutputLock.LiveHolder(maps.Split(s).Root)))
            .Where(s => s.Holder is not null).Select(s => $"split {s.Split}: {s.Holder}").ToList();

    private sealed class Held(IReadOnlyList<IDisposable> locks) : IDisposable
    {
        public void Dispose()
        {
            foreach (var held in locks.Reverse())
            {
                held.Dispose();
            }
        }
    }
}
