using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClinicaDL.Core.IO;

/// <summary>
/// One writer at a time on an output (a MAPS, a data set, an extraction...): a lock file beside the output,
/// <c>.&lt;name&gt;.lock</c>, naming the process, host and start time. A second writer is refused with the
/// holder's name; a lock whose process has died (same host, process gone or its start time changed) is taken
/// over, saying so. Re-entrant within one logical flow (a cmdlet and the engine work it starts on a worker
/// thread both hold it); another runspace of the same process is refused like another process.
/// </summary>
public sealed class OutputLock : IDisposable
{
    private static readonly Dictionary<string, (object Flow, int Count)> HeldHere = new(StringComparer.Ordinal);
    private static readonly AsyncLocal<object?> CurrentFlow = new();
    private static readonly DateTime ProcessStart = Process.GetCurrentProcess().StartTime.ToUniversalTime();
    private readonly string _lockPath;
    private bool _released;

    private OutputLock(string lockPath) => _lockPath = lockPath;

    /// <summary>The lock file that guards <paramref name="output"/>.</summary>
    public static string LockPath(string output)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(output));
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.lock");
    }

    /// <summary>Takes the lock of <paramref name="output"/> or throws <see cref="OutputInUseException"/>.</summary>
    public static OutputLock Acquire(string output, Action<string>? log = null)
    {
        var lockPath = LockPath(output);
        lock (HeldHere)
        {
            var flow = CurrentFlow.Value ??= new object();
            if (HeldHere.TryGetValue(lockPath, out var held))
            {
                if (!ReferenceEquals(held.Flow, flow))
                {
                    throw new OutputInUseException(Path.GetFullPath(output), $"another pipeline of this process ({Environment.ProcessId})");
                }
                HeldHere[lockPath] = (flow, held.Count + 1);
                return new OutputLock(lockPath);
            }
            Directory.CreateDirectory(Path.GetDirectoryName(lockPath)!);
            for (var attempt = 0; ; attempt++)
            {
                if (TryCreate(lockPath))
                {
                    HeldHere[lockPath] = (flow, 1);
                    return new OutputLock(lockPath);
                }
                var holder = ReadHolder(lockPath);
                if (holder is null && attempt < 20)
                {
                    // Being written by its creator this very moment, or removed since: look again shortly.
                    Thread.Sleep(50);
                    continue;
                }
                if (holder is not null && IsDead(holder) && attempt < 21)
                {
                    log?.Invoke($"Took over the lock of '{output}' left by {Describe(holder)}, which no longer runs.");
                    TryDelete(lockPath);
                    continue;
                }
                throw new OutputInUseException(Path.GetFullPath(output), holder is null ? $"unreadable lock file '{lockPath}'" : Describe(holder));
            }
        }
    }

    public void Dispose()
    {
        if (_released)
        {
            return;
        }
        _released = true;
        lock (HeldHere)
        {
            var (flow, count) = HeldHere[_lockPath];
            if (count > 1)
            {
                HeldHere[_lockPath] = (flow, count - 1);
                return;
            }
            HeldHere.Remove(_lockPath);
            TryDelete(_lockPath);
        }
    }

    private static bool TryCreate(string lockPath)
    {
        var holder = new JsonObject
        {
            ["pid"] = Environment.ProcessId,
            ["host"] = Environment.MachineName,
            ["process_start"] = ProcessStart.ToString("O"),
            ["acquired"] = DateTime.UtcNow.ToString("O"),
        };
        try
        {
            using var stream = new FileStream(lockPath, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
            stream.Write(System.Text.Encoding.UTF8.GetBytes(holder.ToJsonString() + "\n"));
            stream.Flush(flushToDisk: true);
            return true;
        }
        catch (IOException) when (File.Exists(lockPath))
        {
            return false;
        }
    }

    private static JsonObject? ReadHolder(string lockPath)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(lockPath)) as JsonObject;
        }
        catch (Exception error) when (error is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A holder on this host whose process is gone, or whose process id now belongs to a later process.</summary>
    private static bool IsDead(JsonObject holder)
    {
        if ((string?)holder["host"] != Environment.MachineName || holder["pid"] is null)
        {
            return false;
        }
        try
        {
            using var process = Process.GetProcessById((int)holder["pid"]!);
            return DateTime.TryParse((string?)holder["process_start"], null, System.Globalization.DateTimeStyles.RoundtripKind, out var start)
                && Math.Abs((process.StartTime.ToUniversalTime() - start).TotalSeconds) > 1;
        }
        catch (ArgumentException)
        {
            return true;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private static string Describe(JsonObject holder) =>
        $"process {holder["pid"]} on {holder["host"]}, since {holder["acquired"]}";

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}
