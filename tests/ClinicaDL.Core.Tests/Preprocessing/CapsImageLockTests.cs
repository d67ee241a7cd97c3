using System.Diagnostics;
using System.Text.Json.Nodes;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Preprocessing;

namespace ClinicaDL.Core.Tests.Preprocessing;

public sealed class CapsImageLockTests : IDisposable
{
    private readonly string _caps = Directory.CreateTempSubdirectory("clinicadl-capslock-").FullName;

    public void Dispose() => Directory.Delete(_caps, recursive: true);

    private string ImageFolder(string participant) => Path.Combine(_caps, "subjects", participant, "ses-M000", "t1_linear");

    [Fact]
    public void The_lock_sits_in_the_session_folder_and_the_folders_it_made_go_when_nothing_was_written()
    {
        var folder = ImageFolder("sub-01");
        using (CapsImageLock.Acquire(_caps, folder, null))
        {
            Assert.True(File.Exists(Path.Combine(_caps, "subjects", "sub-01", "ses-M000", ".t1_linear.lock")));
        }
        Assert.False(Directory.Exists(Path.Combine(_caps, "subjects")));
        Assert.True(Directory.Exists(_caps));
    }

    [Fact]
    public void Folders_holding_an_output_or_made_by_someone_else_stay()
    {
        Directory.CreateDirectory(Path.Combine(_caps, "subjects", "sub-02"));
        var written = ImageFolder("sub-01");
        using (CapsImageLock.Acquire(_caps, written, null))
        {
            Directory.CreateDirectory(written);
            File.WriteAllText(Path.Combine(written, "image.nii.gz"), "");
        }
        using (CapsImageLock.Acquire(_caps, ImageFolder("sub-02"), null))
        {
        }
        Assert.True(File.Exists(Path.Combine(written, "image.nii.gz")));
        Assert.False(File.Exists(OutputLock.LockPath(written)));
        Assert.True(Directory.Exists(Path.Combine(_caps, "subjects", "sub-02")), "sub-02 existed before: not the lock's to remove");
        Assert.False(Directory.Exists(Path.Combine(_caps, "subjects", "sub-02", "ses-M000")));
    }

    private static void WriteHolder(string folder, DateTime processStart)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
        File.WriteAllText(OutputLock.LockPath(folder), new JsonObject
        {
            ["pid"] = Environment.ProcessId, ["host"] = Environment.MachineName,
            ["process_start"] = processStart.ToUniversalTime().ToString("O"), ["acquired"] = "2026-11-29T02:00:00Z",
        }.ToJsonString());
    }

    [Fact]
    public void An_image_held_by_a_live_process_is_refused_naming_it_and_the_other_images_are_not()
    {
        var busy = ImageFolder("sub-01");
        using var self = Process.GetCurrentProcess();
        WriteHolder(busy, self.StartTime);
        var error = Assert.Throws<OutputInUseException>(() => CapsImageLock.Acquire(_caps, busy, null));
        Assert.Equal(busy, error.Path);
        Assert.Equal($"process {Environment.ProcessId} on {Environment.MachineName}, since 2026-11-29T02:00:00Z", error.Holder);
        Assert.True(File.Exists(OutputLock.LockPath(busy)), "the holder's lock stays");
        using (CapsImageLock.Acquire(_caps, ImageFolder("sub-02"), null))
        {
        }
        Assert.False(File.Exists(OutputLock.LockPath(_caps)), "the CAPS' own lock is held only a moment");
    }

    [Fact]
    public void An_image_lock_left_by_a_process_that_died_is_taken_over_saying_so()
    {
        var stale = ImageFolder("sub-01");
        using var self = Process.GetCurrentProcess();
        // This process's id with another start time: the process that wrote it has gone and the id was reused.
        WriteHolder(stale, self.StartTime.AddHours(-3));
        var messages = new List<string>();
        using (CapsImageLock.Acquire(_caps, stale, messages.Add))
        {
            Assert.Contains(messages, m => m.Contains(stale, StringComparison.Ordinal) && m.Contains("no longer runs", StringComparison.Ordinal));
        }
        Assert.False(File.Exists(OutputLock.LockPath(stale)));
    }
}
