using System.Diagnostics;
using System.Globalization;
using ClinicaDL.Core.IO;

namespace ClinicaDL.Core.Cluster;

/// <summary>
/// A job's parts run as child processes of this one (-ThrottleLimit without SLURM), at most a given number at once,
/// each running the job's <see cref="PartScript"/> exactly as a SLURM task would, its output in its log and its state
/// in jobs/&lt;job id&gt;_&lt;task&gt;.state: PENDING; RUNNING with the child's process id, host and start time; COMPLETED or
/// FAILED with its exit code; CANCELLED (by Stop-ClinicaDLJob or Ctrl+C, and then never started or reported otherwise).
/// </summary>
public static class LocalParts
{
    /// <summary>A task that ended: its index, exit code, and when it started and ended (UTC).</summary>
    public sealed record TaskEnd(int Task, int ExitCode, DateTime Started, DateTime Ended);

    public static string StatePath(string folder, string jobId, int task) => Path.Combine(folder, $"{jobId}_{task}.state");

    /// <summary>
    /// Runs every part and returns when all have ended; <paramref name="ended"/> is told of each task as it ends. A
    /// task cancelled meanwhile (Stop-ClinicaDLJob from another session) is not started, and one killed stays
    /// CANCELLED. On cancellation of this call every child still running is killed (with its own children).
    /// </summary>
    public static void Run(ClusterJob job, PartScript script, int throttle, Action<TaskEnd> ended, CancellationToken cancellation)
    {
        var folder = ClusterJob.Folder(job.OutputPath);
        for (var task = 0; task < job.ArraySize; task++)
        {
            SetState(folder, job.JobId, task, "PENDING");
        }
        var running = new Dictionary<int, (Process Process, StreamWriter Log, DateTime Started)>();
        var next = 0;
        try
        {
            while (next < job.ArraySize || running.Count > 0)
            {
                while (next < job.ArraySize && running.Count < Math.Max(1, throttle))
                {
                    if (ReadState(folder, job.JobId, next)[0] != "CANCELLED")
                    {
                        var (process, log) = Start(script, job.Parts[next].ToString(CultureInfo.InvariantCulture), job.LogPaths[next]);
                        running[next] = (process, log, DateTime.UtcNow);
                        SetState(folder, job.JobId, next, $"RUNNING {process.Id} {Environment.MachineName} {StartTicks(process)}");
                    }
                    next++;
                }
                foreach (var (task, (process, log, started)) in running.Where(r => r.Value.Process.HasExited).ToList())
                {
                    // Waits for the last lines of its output too.
                    process.WaitForExit();
                    log.Dispose();
                    if (ReadState(folder, job.JobId, task)[0] != "CANCELLED")
                    {
                        SetState(folder, job.JobId, task, process.ExitCode == 0 ? "COMPLETED 0" : $"FAILED {process.ExitCode}");
                    }
                    ended(new TaskEnd(task, process.ExitCode, started, DateTime.UtcNow));
                    process.Dispose();
                    running.Remove(task);
                }
                cancellation.WaitHandle.WaitOne(200);
                cancellation.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            foreach (var (task, (process, log, _)) in running)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit();
                }
                catch (InvalidOperationException)
                {
                    // Ended meanwhile.
                }
                log.Dispose();
                SetState(folder, job.JobId, task, "CANCELLED");
                process.Dispose();
            }
            for (var task = next; task < job.ArraySize; task++)
            {
                SetState(folder, job.JobId, task, "CANCELLED");
            }
        }
    }

    /// <summary>
    /// Each task's state as its state file says, with the host it runs on; a RUNNING task whose process has gone (its
    /// parent was killed) is UNKNOWN. A task on another host is reported as its file says.
    /// </summary>
    public static IReadOnlyDictionary<int, (string State, string? Node, string? ExitCode)> States(ClusterJob job)
    {
        var folder = ClusterJob.Folder(job.OutputPath);
        var states = new Dictionary<int, (string, string?, string?)>();
        for (var task = 0; task < job.ArraySize; task++)
        {
            if (!File.Exists(StatePath(folder, job.JobId, task)))
            {
                continue;
            }
            var words = ReadState(folder, job.JobId, task);
            var state = words[0] == "RUNNING" && LiveChild(words) is null && IsHere(words) ? "UNKNOWN" : words[0];
            states[task] = (state, words[0] == "RUNNING" ? words.ElementAtOrDefault(2) : null, state is "COMPLETED" or "FAILED" ? words.ElementAtOrDefault(1) : null);
        }
        return states;
    }

    /// <summary>
    /// Kills the job's running child processes (with their own children) and marks every task that had not ended
    /// CANCELLED; a parent still running starts none of them. Only processes this host started, identified by id and
    /// start time, are killed: a process id reused since, or a child on another host, is left alone (the latter said).
    /// </summary>
    public static IReadOnlyList<string> Cancel(ClusterJob job)
    {
        var folder = ClusterJob.Folder(job.OutputPath);
        var notes = new List<string>();
        for (var task = 0; task < job.ArraySize; task++)
        {
            var words = ReadState(folder, job.JobId, task);
            if (words[0] is not ("PENDING" or "RUNNING"))
            {
                continue;
            }
            // Marked first: a parent that sees the child end, or reaches a pending task, keeps it cancelled.
            SetState(folder, job.JobId, task, "CANCELLED");
            if (words[0] == "RUNNING" && !IsHere(words))
            {
                notes.Add($"Task {task} runs on {words.ElementAtOrDefault(2)}, not here: marked CANCELLED, its process left to that host.");
                continue;
            }
            if (words[0] == "RUNNING" && LiveChild(words) is { } process)
            {
                using (process)
                {
                    try
                    {
                        process.Kill(entireProcessTree: true);
                    }
                    catch (InvalidOperationException)
                    {
                        // Ended meanwhile.
                    }
                }
            }
        }
        return notes;
    }

    private static bool IsHere(string[] words) => words.ElementAtOrDefault(2) is not { } host || host == Environment.MachineName;

    /// <summary>The child a RUNNING state names, if that process still runs here with the recorded start time.</summary>
    private static Process? LiveChild(string[] words)
    {
        if (!int.TryParse(words.ElementAtOrDefault(1), CultureInfo.InvariantCulture, out var pid) || !IsHere(words))
        {
            return null;
        }
        try
        {
            var process = Process.GetProcessById(pid);
            if (!process.HasExited && StartTicks(process) == words.ElementAtOrDefault(3))
            {
                return process;
            }
            process.Dispose();
            return null;
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string StartTicks(Process process) => process.StartTime.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture);

    private static (Process, StreamWriter) Start(PartScript script, string part, string logPath)
    {
        var info = new ProcessStartInfo(script.Launcher.Executable)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            // A log file, not a terminal: PowerShell writes no colour codes when NO_COLOR is set.
            Environment = { ["NO_COLOR"] = "1" },
        };
        foreach (var argument in script.Launcher.Arguments(script.Path, part))
        {
            info.ArgumentList.Add(argument);
        }
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = info };
        void Write(string? line)
        {
            if (line is not null)
            {
                lock (log)
                {
                    log.WriteLine(line);
                }
            }
        }
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, log);
    }

    private static string[] ReadState(string folder, string jobId, int task)
    {
        var path = StatePath(folder, jobId, task);
        return File.Exists(path) ? File.ReadAllText(path).Trim().Split(' ') : ["UNKNOWN"];
    }

    private static void SetState(string folder, string jobId, int task, string state) => AtomicFile.WriteAllText(StatePath(folder, jobId, task), state + "\n");
}
