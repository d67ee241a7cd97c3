using System.Collections.Concurrent;
using System.Management.Automation;
using System.Runtime.ExceptionServices;

namespace ClinicaDL.PowerShell;

/// <summary>
/// Runs long engine work on a worker thread while the pipeline thread, the only one allowed to write progress,
/// verbose records and output, reports the latest progress and the log lines every quarter second; a caller that
/// must see every report (one that carries a result to emit) gives <c>everyReport</c>.
/// </summary>
internal static class BackgroundWork
{
    /// <summary>Returns the work's result; an exception of the work is rethrown as it was thrown.</summary>
    public static T Run<T, TReport>(ClinicaDLCmdlet cmdlet, Func<IProgress<TReport>, Action<string>, T> work, Action<TReport> showProgress,
        Action<TReport>? everyReport = null)
        where TReport : class
    {
        var reports = new ConcurrentQueue<TReport>();
        var messages = new ConcurrentQueue<string>();
        var task = Task.Run(() => work(new QueueProgress<TReport>(reports), messages.Enqueue));
        void Drain()
        {
            while (messages.TryDequeue(out var message))
            {
                cmdlet.WriteVerbose(message);
            }
            TReport? last = null;
            while (reports.TryDequeue(out var report))
            {
                everyReport?.Invoke(report);
                last = report;
            }
            if (last is not null)
            {
                showProgress(last);
            }
        }
        try
        {
            while (!task.Wait(250))
            {
                Drain();
            }
        }
        catch (AggregateException error) when (error.InnerException is not null)
        {
            Drain();
            ExceptionDispatchInfo.Capture(error.InnerException).Throw();
        }
        catch (Exception) when (!task.IsCompleted)
        {
            // The pipeline stopped while this thread wrote a record (Select-Object -First downstream, a terminating
            // error): the work stops at its next step and is waited for, so none outlives the command holding its outputs.
            cmdlet.CancelWork();
            try
            {
                task.Wait();
            }
            catch (AggregateException)
            {
                // Its cancellation, or a failure nobody is left to see: the pipeline's own stop is what goes on.
            }
            throw;
        }
        Drain();
        return task.Result;
    }

    private sealed class QueueProgress<TReport>(ConcurrentQueue<TReport> queue) : IProgress<TReport>
    {
        public void Report(TReport value) => queue.Enqueue(value);
    }
}
