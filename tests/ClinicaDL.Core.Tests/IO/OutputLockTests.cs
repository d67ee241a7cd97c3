using System.Diagnostics;
using System.Text.Json.Nodes;
using ClinicaDL.Core.IO;

namespace ClinicaDL.Core.Tests.IO;

public sealed class OutputLockTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clinicadl-lock-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private void WriteHolder(string output, int pid, DateTime processStart, bool brief = false)
    {
        var holder = new JsonObject
        {
            ["pid"] = pid, ["host"] = Environment.MachineName, ["process_start"] = processStart.ToUniversalTime().ToString("O"), ["acquired"] = "earlier",
        };
        if (brief)
        {
            holder["brief"] = true;
        }
        File.WriteAllText(OutputLock.LockPath(output), holder.ToJsonString());
    }

    [Fact]
    public void The_lock_file_sits_beside_the_output_and_goes_with_the_writer()
    {
        var output = Path.Combine(_folder, "maps");
        using (OutputLock.Acquire(output))
        {
            var holder = JsonNode.Parse(File.ReadAllText(Path.Combine(_folder, ".maps.lock")))!;
            Assert.Equal(Environment.ProcessId, (int)holder["pid"]!);
            Assert.Equal(Environment.MachineName, (string?)holder["host"]);
        }
        Assert.False(File.Exists(Path.Combine(_folder, ".maps.lock")));
    }

    [Fact]
    public void A_live_holder_is_refused_by_name()
    {
        var output = Path.Combine(_folder, "busy");
        using var self = Process.GetCurrentProcess();
        WriteHolder(output, Environment.ProcessId, self.StartTime);
        var error = Assert.Throws<OutputInUseException>(() => OutputLock.Acquire(output));
        Assert.Contains($"process {Environment.ProcessId} on {Environment.MachineName}", error.Message);
        Assert.True(File.Exists(OutputLock.LockPath(output)));
    }

    [Fact]
    public void A_dead_holder_is_taken_over_saying_so()
    {
        var output = Path.Combine(_folder, "stale");
        using var self = Process.GetCurrentProcess();
        // Our own process id with another start time: the process that wrote it has gone and the id was reused.
        WriteHolder(output, Environment.ProcessId, self.StartTime.AddHours(-3));
        var messages = new List<string>();
        using (OutputLock.Acquire(output, messages.Add))
        {
            Assert.Single(messages);
            Assert.Contains("no longer runs", messages[0]);
        }
    }

    [Fact]
    public void The_same_flow_may_take_it_again_but_another_thread_flow_may_not()
    {
        var output = Path.Combine(_folder, "shared");
        using var outer = OutputLock.Acquire(output);
        using (OutputLock.Acquire(output))
        {
        }
        Assert.True(File.Exists(OutputLock.LockPath(output)), "releasing the inner hold keeps the outer one");
        // A flow started without the caller's context stands for another runspace of this process.
        Exception? other = null;
        var thread = new Thread(() => other = Record.Exception(() => OutputLock.Acquire(output).Dispose()));
        using (ExecutionContext.SuppressFlow())
        {
            thread.Start();
        }
        thread.Join();
        Assert.IsType<OutputInUseException>(other);
    }

    [Fact]
    public void A_waiting_writer_gets_the_lock_once_its_holder_lets_go()
    {
        var output = Path.Combine(_folder, "briefly");
        var held = OutputLock.Acquire(output);
        Exception? other = null;
        var watch = Stopwatch.StartNew();
        var thread = new Thread(() => other = Record.Exception(() => OutputLock.Acquire(output, null, TimeSpan.FromSeconds(20)).Dispose()));
        using (ExecutionContext.SuppressFlow())
        {
            thread.Start();
        }
        Thread.Sleep(300);
        held.Dispose();
        thread.Join();
        Assert.Null(other);
        Assert.InRange(watch.Elapsed.TotalMilliseconds, 300, 15000);
    }

    [Fact]
    public void A_waiting_writer_gives_up_after_its_wait_naming_the_holder()
    {
        var output = Path.Combine(_folder, "long");
        using var self = Process.GetCurrentProcess();
        WriteHolder(output, Environment.ProcessId, self.StartTime, brief: true);
        var watch = Stopwatch.StartNew();
        var error = Assert.Throws<OutputInUseException>(() => OutputLock.Acquire(output, null, TimeSpan.FromMilliseconds(400)));
        Assert.True(watch.Elapsed.TotalMilliseconds >= 400, $"gave up after {watch.Elapsed.TotalMilliseconds} ms");
        Assert.Contains($"process {Environment.ProcessId} on {Environment.MachineName}", error.Message);
    }

    [Fact]
    public void The_live_holder_is_named_and_a_dead_one_is_not()
    {
        var output = Path.Combine(_folder, "probe");
        Assert.Null(OutputLock.LiveHolder(output));
        using var self = Process.GetCurrentProcess();
        WriteHolder(output, Environment.ProcessId, self.StartTime);
        Assert.Contains($"process {Environment.ProcessId} on {Environment.MachineName}", OutputLock.LiveHolder(output));
        WriteHolder(output, Environment.ProcessId, self.StartTime.AddHours(-3));
        Assert.Null(OutputLock.LiveHolder(output));
    }

    [Fact]
    public void A_waiting_writer_is_refused_at_once_by_a_holder_that_holds_it_for_its_whole_work()
    {
        var output = Path.Combine(_folder, "training");
        using var self = Process.GetCurrentProcess();
        WriteHolder(output, Environment.ProcessId, self.StartTime);
        var watch = Stopwatch.StartNew();
        var error = Assert.Throws<OutputInUseException>(() => OutputLock.Acquire(output, null, TimeSpan.FromSeconds(30)));
        Assert.True(watch.Elapsed.TotalSeconds < 5, $"waited {watch.Elapsed.TotalSeconds} s");
        Assert.Contains($"process {Environment.ProcessId} on {Environment.MachineName}", error.Message);
    }

    [Fact]
    public void A_brief_hold_says_so_in_its_lock_file()
    {
        var output = Path.Combine(_folder, "brief");
        using (OutputLock.Acquire(output, null, TimeSpan.FromSeconds(1)))
        {
            Assert.True((bool?)JsonNode.Parse(File.ReadAllText(OutputLock.LockPath(output)))!["brief"]);
        }
        using (OutputLock.Acquire(output))
        {
            Assert.Null(JsonNode.Parse(File.ReadAllText(OutputLock.LockPath(output)))!["brief"]);
        }
    }
}
