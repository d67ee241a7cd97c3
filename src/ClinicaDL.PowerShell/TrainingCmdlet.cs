using System.Management.Automation;
using ClinicaDL.Core.Cluster;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Runtime;
using ClinicaDL.Core.Training;
using ClinicaDL.Core.Workflows;

namespace ClinicaDL.PowerShell;

/// <summary>
/// What the training cmdlets share: the engine runs on a worker thread while the pipeline thread turns its
/// reports into progress bars (split, epoch, batch, time remaining) and verbose lines, and Ctrl+C cancels it,
/// leaving the MAPS resumable.
/// </summary>
public abstract class TrainingCmdlet : ClusterCmdlet
{

    protected string HostDescription() => EnvironmentInfo.Capture("PowerShell", Commands.GetClinicaDLEnvironmentCommand.PowerShellVersion(this)).ToText();

    protected void RunTraining(string activity, string maps,
        Func<IProgress<TrainingProgress>, Action<string>, CancellationToken, IReadOnlyList<TrainingResult>> run)
    {
        var splitBar = new ProgressRecord(1, activity, "Preparing");
        var epochBar = new ProgressRecord(2, "Epoch", "Starting") { ParentActivityId = 1 };
        try
        {
            var results = BackgroundWork.Run<IReadOnlyList<TrainingResult>, TrainingProgress>(this,
                (progress, log) => run(progress, log, StopToken), report => ShowProgress(report, splitBar, epochBar));
            foreach (var result in results)
            {
                if (result.Status == "Failed")
                {
                    WriteError(new ErrorRecord(new InvalidOperationException($"Split {result.Split} failed: {result.Message}"), ErrorIds.TrainingFailed, ErrorCategory.InvalidResult, result));
                }
                WriteObject(result);
            }
        }
        catch (OperationCanceledException)
        {
            // After Ctrl+C the pipeline is stopping and WriteWarning would throw unseen: the host still shows this.
            Host.UI.WriteWarningLine(StoppedMessage(maps));
            throw new PipelineStoppedException();
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            ThrowTerminatingError(ToErrorRecord(error, maps));
        }
        finally
        {
            splitBar.RecordType = ProgressRecordType.Completed;
            WriteProgress(splitBar);
        }
    }

    /// <summary>
    /// Trains <paramref name="splits"/> of a prepared MAPS in other processes, each resuming its split
    /// (Resume-ClinicaDLTraining -Split k): a SLURM array job (its job object is emitted at once), or local child
    /// processes (each split's result is emitted as its process ends).
    /// </summary>
    protected void RunSplits(string maps, IReadOnlyList<int> splits, string description)
    {
        var parts = new JobSubmission.Parts(maps, "Training", description, splits, Launcher(),
            $"Resume-ClinicaDLTraining -MapsPath {PowerShellLauncher.Quote(maps)} -Split $Part -Confirm:$false -Verbose");
        RunParts(parts, "Training splits in child processes", ended =>
        {
            var result = SplitOutcome.Read(MapsFolder.Open(maps), ended.Part, ended.Seconds, ended.ExitCode == 0 ? null : $"its process exited with code {ended.ExitCode}: {ended.Tail()}");
            if (result.Status == "Failed")
            {
                WriteError(new ErrorRecord(new InvalidOperationException($"Split {result.Split} failed: {result.Message}"), ErrorIds.TrainingFailed, ErrorCategory.InvalidResult, result));
            }
            WriteObject(result);
        }, StoppedMessage(maps),
            // The MAPS is made: its splits are submitted again by a resume, not by a new training.
            $"The MAPS '{maps}' is prepared: Resume-ClinicaDLTraining -MapsPath '{maps}' -Scheduler Slurm submits its splits once SLURM accepts the job.");
    }

    private static string StoppedMessage(string maps) =>
        $"Training stopped. The MAPS '{maps}' keeps every finished epoch and is resumable: Resume-ClinicaDLTraining -MapsPath '{maps}' completes it.";

    private void ShowProgress(TrainingProgress last, ProgressRecord splitBar, ProgressRecord epochBar)
    {
        var done = last.SplitsCompleted;
        splitBar.StatusDescription = $"Split {last.Split} ({last.SplitsDone + 1} of {last.SplitCount})";
        splitBar.PercentComplete = (int)(100 * done / last.SplitCount);
        splitBar.SecondsRemaining = done > 0 ? (int)(last.Elapsed.TotalSeconds / done * (last.SplitCount - done)) : -1;
        WriteProgress(splitBar);
        ShowEpoch(last, epochBar);
    }

    /// <summary>The child bar of a training's epoch: its batches, then its evaluation.</summary>
    protected void ShowEpoch(TrainingProgress last, ProgressRecord epochBar)
    {
        epochBar.Activity = $"Epoch {last.Epoch + 1} of {last.Epochs}";
        epochBar.StatusDescription = last.Phase == "training" ? $"Batch {last.Batch} of {last.Batches}" : "Evaluating train and validation";
        epochBar.PercentComplete = 100 * last.Batch / Math.Max(1, last.Batches);
        WriteProgress(epochBar);
    }
}
