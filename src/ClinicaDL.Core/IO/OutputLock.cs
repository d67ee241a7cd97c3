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
    public static OutputLock Acquire(string output, Action<string>? log = null) => Acquire(output, log, TimeSpan.Zero);

    /// <summary>
    /// Takes the lock of <paramref name="output"/> for a moment (such as the one guarding a MAPS' shared files while
    /// they are written), waiting up to <paramref name="wait"/> while another writer holds it for a moment too; a
    /// writer holding it for its whole work (a training, a prediction) is refused at once, naming the holder.
    /// </summary>
    public static OutputLock Acquire(string output, Action<string>? log, TimeSpan wait)
    {
        var lockPath = LockPath(output);
        var deadline = DateTime.UtcNow + wait;
        var flow = CurrentFlow.Value ??= new object();
        while (true)
        {
            try
            {
                return TryAcquire(output, lockPath, flow, log, brief: wait > TimeSpan.Zero);
            }
            catch (OutputInUseException) when (DateTime.UtcNow < deadline && HeldBriefly(lockPath))
            {
                Thread.Sleep(TimeSpan.FromMilliseconds(Math.Min(250, Math.Max(1, (deadline - DateTime.UtcNow).TotalMilliseconds))));
            }
        }
    }

    /// <summary>
    /// Who holds the lock of <paramref name="output"/> if a live writer does ("process 12 on node3, since ..."); null
    /// when nobody does or its holder has died (the lock is left for the next writer to take over).
    /// </summary>
    public static string? LiveHolder(string output)
    {
        var lockPath = LockPath(output);
        lock (HeldHere)
        {
            if (HeldHere.ContainsKey(lockPath))
            {
                return $"process {Environment.ProcessId} on {Environment.MachineName} (this one)";
            }
        }
        if (!File.Exists(lockPath))
        {
            return null;
        }
        var holder = ReadHolder(lockPath);
        return holder is null ? $"unreadable lock file '{lockPath}'" : IsDead(holder) ? null : Describe(holder);
    }

    /// <summary>Whether the lock's holder said it holds it a moment (a waiting writer waits for it); another flow of this process counts as one.</summary>
    private static bool HeldBriefly(string lockPath)
    {
        lock (HeldHere)
        {
            if (HeldHere.ContainsKey(lockPath))
            {
                return true;
            }
        }
        return ReadHolder(lockPath) is not { } holder || holder["brief"]?.GetValue<bool>() == true;
    }

    private static OutputLock TryAcquire(string output, string lockPath, object flow, Action<string>? log, bool brief)
    {
        lock (HeldHere)
        {
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
                if (TryCreate(lockPath, brief))
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
                    if (RemoveStale(lockPath, holder))
                    {
                        log?.Invoke($"Took over the lock of '{output}' left by {Describe(holder)}, which no longer runs.");
                    }
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

    /// <summary>
    /// Removes the lock file of a dead holder, unless another writer took it over first: the file is renamed away
    /// (one writer wins the rename), then its holder checked to be the dead one read before; a live writer's fresh
    /// lock renamed by mistake is put back. Two writers can thus never both take over one stale lock.
    /// </summary>
    private static bool RemoveStale(string lockPath, JsonObject dead)
    {
        var aside = $"{lockPath}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.Move(lockPath, aside);
        }
        catch (IOException)
        {
            return false;
        }
        if (ReadHolder(aside) is { } moved && JsonNode.DeepEquals(moved, dead))
        {
            TryDelete(aside);
            return true;
        }
        try
        {
            File.Move(aside, lockPath);
        }
        catch (IOException)
        {
            // A third writer locked it meanwhile: the one put aside is left for its holder to find missing; not ours to judge.
            TryDelete(aside);
        }
        return false;
    }

    private static bool TryCreate(string lockPath, bool brief)
    {
        var holder = new JsonObject
        {
            ["pid"] = Environment.ProcessId,
            ["host"] = Environment.MachineName,
            ["process_start"] = ProcessStart.ToString("O"),
            ["acquired"] = DateTime.UtcNow.ToString("O"),
        };
        if (SlurmJob is { } job)
        {
            holder["slurm_job"] = job;
        }
        if (brief)
        {
            holder["brief"] = true;
        }
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

    /// <summary>The SLURM job this process runs in (SLURM_JOB_ID, set in every task of a job), if any.</summary>
    private static readonly string? SlurmJob = Environment.GetEnvironmentVariable("SLURM_JOB_ID") is { Length: > 0 } id ? id : null;

    /// <summary>
    /// A holder on this host whose process is gone, or whose process id now belongs to a later process; on another
    /// host, a holder that ran in a SLURM job the controller no longer runs (a preempted or failed task whose
    /// split is resubmitted to another node). Any other holder on another host is taken to be alive.
    /// </summary>
    private static bool IsDead(JsonObject holder)
    {
        if (SlurmJob is not null && (string?)holder["slurm_job"] == SlurmJob && (int?)holder["pid"] != Environment.ProcessId)
        {
            // An earlier attempt of this very SLURM job (requeued after preemption or a node failure): a job runs one attempt at a time.
            return true;
        }
        if ((string?)holder["host"] != Environment.MachineName)
        {
            return holder["slurm_job"] is { } job && SlurmJobEnded((string?)job);
        }
        if (holder["pid"] is null)
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
        $"process {holder["pid"]} on {holder["host"]}{(holder["slurm_job"] is { } job ? $" (SLURM job {job})" : "")}, since {holder["acquired"]}";

    /// <summary>squeue's answers, kept a while: a writer waiting for a lock must not ask the controller four times a second.</summary>
    private static readonly Dictionary<string, (bool Ended, DateTime Asked)> SlurmAnswers = new(StringComparer.Ordinal);

    /// <summary>Whether SLURM's controller says the job has ended (squeue lists it in no active state, or no longer knows it).</summary>
    private static bool SlurmJobEnded(string? jobId)
    {
        if (jobId is null || !jobId.All(c => char.IsAsciiDigit(c) || c == '_'))
        {
            return false;
        }
        lock (SlurmAnswers)
        {
            if (SlurmAnswers.TryGetValue(jobId, out var known) && DateTime.UtcNow - known.Asked < TimeSpan.FromSeconds(30))
            {
                return known.Ended;
            }
        }
        var ended = AskSlurm(jobId);
        lock (SlurmAnswers)
        {
            SlurmAnswers[jobId] = (ended, DateTime.UtcNow);
        }
        return ended;
    }

    private static bool AskSlurm(string jobId)
    {
        ExternalCommand.Result squeue;
        try
        {
            squeue = ExternalCommand.Run("squeue", ["-h", "-j", jobId, "-o", "%T"]);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No squeue here: the holder's node cannot be asked, so it is taken to be alive.
            return false;
        }
        if (squeue.ExitCode != 0)
        {
            return squeue.Error.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase);
        }
        string[] active = ["PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", "REQUEUED", "RESIZING", "SIGNALING", "STAGE_OUT"];
        return !squeue.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Any(active.Contains);
    }

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
