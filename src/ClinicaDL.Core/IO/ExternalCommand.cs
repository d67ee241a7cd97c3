using System.Diagnostics;
using System.Text;

namespace ClinicaDL.Core.IO;

/// <summary>
/// Another program run to its end (dcm2niix, SLURM's sbatch, scontrol, sacct, squeue, scancel): found on PATH, its
/// arguments passed one by one (no shell, so paths with spaces stay whole), its output and errors kept apart and
/// together in the order written, and killed with its children when the run is cancelled.
/// </summary>
public static class ExternalCommand
{
    /// <summary>What the program wrote: standard output, standard error, and both interleaved as they came.</summary>
    public sealed record Result(int ExitCode, string Output, string Error, string Combined);

    /// <summary>The first of <paramref name="names"/> found in a folder of PATH, in PATH's order; null when none is.</summary>
    public static string? FindOnPath(params string[] names) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(folder => names.Select(name => Path.Combine(folder, name))).FirstOrDefault(File.Exists);

    /// <summary>Runs the program and waits for its end; a program that cannot start throws Win32Exception.</summary>
    public static Result Run(string executable, IEnumerable<string> arguments, CancellationToken cancellation = default)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, CreateNoWindow = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new IOException($"'{executable}' did not start.");
        var (output, error, combined) = (new StringBuilder(), new StringBuilder(), new StringBuilder());
        void Keep(StringBuilder own, string? line)
        {
            if (line is not null)
            {
                lock (combined)
                {
                    own.AppendLine(line);
                    combined.AppendLine(line);
                }
            }
        }
        process.OutputDataReceived += (_, line) => Keep(output, line.Data);
        process.ErrorDataReceived += (_, line) => Keep(error, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            process.WaitForExitAsync(cancellation).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        // Waits for the last lines of both streams too.
        process.WaitForExit();
        lock (combined)
        {
            return new Result(process.ExitCode, output.ToString(), error.ToString(), combined.ToString());
        }
    }
}
