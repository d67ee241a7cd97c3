using System.Diagnostics;
using System.Globalization;
using ClinicaDL.Core.IO;

namespace ClinicaDL.Core.Cluster;

/// <summary>
/// A job's parts run as child processes of this one (-ThrottleLimit without SLURM), at most a given number at once,
/// each running the job's <see cref="PartScript"/> exactly as a SLURM task would, its output in its log and its state
/// (PENDING, RUNNING, COMPLETED, FAILED, CANCELLED) in jobs/&lt;job id&gt;_&lt;task&gt;.state.
/// </summary>
public static class LocalParts
{
    public static string StatePath(string folder, string jobId, int task) => Path.Combine(folder, $"{jobId}_{task}.state");

    /// <summary>
    /// Runs every part and returns when all have ended; <paramref name="ended"/> is told each task's exit code as it
    /// ends. On cancellation every child still running is killed (with its own children) and marked CANCELLED.
    /// </summary>
    public static void Run(ClusterJob job, PartScript script, int throttle, Action<int, int> ended, CancellationToken cancellation)
    {
        var folder = ClusterJob.Folder(job.OutputPath);
        for (var task = 0; task < job.ArraySize; task++)
        {
            SetState(folder, job.JobId, task, "PENDING");
        }
        var running = new Dictionary<int, (Process Process, StreamWriter Log)>();
        var next = 0;
        try
        {
            while (next < job.ArraySize || running.Count > 0)
            {
                while (next < job.ArraySize && running.Count < Math.Max(1, throttle))
                {
                    running[next] = Start(script, job.Parts[next].ToString(CultureInfo.InvariantCulture), job.LogPaths[next]);
                    SetState(folder, job.JobId, next, $"RUNNING {running[next].Process.Id}");
                    next++;
                }
                foreach (var (task, (process, log)) in running.Where(r => r.Value.Process.HasExited).ToList())
                {
                    // Waits for the last lines of its output too.
                    process.WaitForExit();
                    log.Dispose();
                    SetState(folder, job.JobId, task, process.ExitCode == 0 ? "COMPLETED 0" : $"FAILED {process.ExitCode}");
                    ended(task, process.ExitCode);
                    process.Dispose();
                    running.Remove(task);
                }
                cancellation.WaitHandle.WaitOne(200);
                cancellation.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            foreach (var (task, (process, log)) in running)
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

    /// <summary>Each task's state as its state file says; a RUNNING task whose process has gone (its parent was killed) is UNKNOWN.</summary>
    public static IReadOnlyDictionary<int, (string State, string? Node, string? ExitCode)> States(ClusterJob job)
    {
        var folder = ClusterJob.Folder(job.OutputPath);
        var states = new Dictionary<int, (string, string?, string?)>();
        for (var task = 0; task < job.ArraySize; task++)
        {
            var path = StatePath(folder, job.JobId, task);
            if (!File.Exists(path))
            {
                continue;
            }
            var words = File.ReadAllText(path).Trim().Split(' ');
            var state = words[0] == "RUNNING" && !IsAlive(words.ElementAtOrDefault(1)) ? "UNKNOWN" : words[0];
            states[task] = (state, Environment.MachineName, state is "COMPLETED" or "FAILED" ? words.ElementAtOrDefault(1) : null);
        }
        return states;
    }

    /// <summary>Kills the job's running child processes (with their own children) and marks every task that had not ended CANCELLED.</summary>
    public static void Cancel(ClusterJob job)
    {
        var folder = ClusterJob.Folder(job.OutputPath);
        foreach (var (task, (state, _, _)) in States(job).Where(s => !TaskStates.HasEnded(s.Value.State) || s.Value.State == "UNKNOWN"))
        {
            var words = File.ReadAllText(StatePath(folder, job.JobId, task)).Trim().Split(' ');
            if (state == "RUNNING" && int.TryParse(words.ElementAtOrDefault(1), CultureInfo.InvariantCulture, out var pid))
            {
                try
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill(entireProcessTree: true);
                }
                catch (Exception error) when (error is ArgumentException or InvalidOperationException)
                {
                    // Ended meanwhile.
                }
            }
            SetState(folder, job.JobId, task, "CANCELLED");
        }
    }

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

    private static void SetState(string folder, string jobId, int task, string state) => AtomicFile.WriteAllText(StatePath(folder, jobId, task), state + "\n");

    private static bool IsAlive(string? pid)
    {
        try
        {
            using var process = Process.GetProcessById(int.Parse(pid ?? "", CultureInfo.InvariantCulture));
            return !process.HasExited;
        }
        catch (Exception error) when (error is ArgumentException or FormatException or InvalidOperationException)
        {
            return false;
        }
    }
}
