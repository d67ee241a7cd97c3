using System.Diagnostics;

namespace ClinicaDL.Bench;

/// <summary>Paired timing: A and B alternate, so a drift in machine speed affects both sides of each ratio alike.</summary>
internal static class Timing
{
    public static double Seconds(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>Runs one warm-up pair, then <paramref name="pairs"/> pairs; returns the medians and the median of the ratios A/B.</summary>
    public static (double MedianA, double MedianB, double MedianRatio) Paired(Action a, Action b, int pairs)
    {
        a();
        b();
        var timesA = new List<double>();
        var timesB = new List<double>();
        var ratios = new List<double>();
        for (var i = 0; i < pairs; i++)
        {
            var timeA = Seconds(a);
            var timeB = Seconds(b);
            timesA.Add(timeA);
            timesB.Add(timeB);
            ratios.Add(timeA / timeB);
        }
        return (Median(timesA), Median(timesB), Median(ratios));
    }

    public static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>Runs an external command with its output discarded by the shell, failing loudly if it fails.</summary>
    public static void Shell(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.ArgumentList.Add("sh");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{script}' failed with exit code {process.ExitCode}.");
        }
    }
}
