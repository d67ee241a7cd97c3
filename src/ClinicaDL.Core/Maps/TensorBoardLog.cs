using System.Globalization;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Maps;

/// <summary>
/// The TensorBoard logs ClinicaDL's LogWriter writes beside training.tsv (split-&lt;k&gt;/training_logs/tensorboard/, or
/// training_logs/network-&lt;n&gt;/tensorboard/ with multi_network): one event file in train/ and one in validation/,
/// named as torch's SummaryWriter names them, with one scalar per metric of each training.tsv row under the metric's
/// own name (BA, loss...), training values in train/, validation values in validation/.
/// </summary>
internal sealed class TensorBoardLog(string trainDirectory, string validationDirectory, IReadOnlyList<string> metrics)
{
    /// <summary>The first event of every file, as TensorFlow's and torch's writers put it.</summary>
    private const string FileVersion = "brain.Event:2";

    // torch numbers its writers within a process (tensorboard's _global_uid) so that two opened in the same second
    // get different names.
    private static int s_writers = -1;

    private string? _trainFile;
    private string? _validationFile;

    /// <summary>
    /// ClinicaDL's global step, i + epoch*len(train_loader) with i the index of the epoch's last batch, is the number of
    /// batches trained by the end of the epoch less one; training.tsv's iteration column holds that number.
    /// </summary>
    public static long GlobalStep(int iteration) => iteration - 1L;

    /// <summary>New, empty event files for a split's first epoch; any earlier ones (a restarted split) are removed.</summary>
    public void Start() => Rewrite([]);

    /// <summary>
    /// After training.tsv was cut back to the last checkpoint, on resume: the event files are written again from its
    /// kept rows, whole and atomically, and the next epochs appended to them. Appending to the old files instead would
    /// leave the epochs after the checkpoint twice (ClinicaDL's resume opens a second file in each folder and so shows
    /// them twice), and a record cut short by the kill that stopped the run. training.tsv holds every value
    /// logged, but not when: the rewritten events carry the time of the rewrite.
    /// </summary>
    public void Rewrite(string trainingLogPath)
    {
        var log = TsvTable.Read(trainingLogPath);
        var rows = Enumerable.Range(0, log.Rows.Count).Select(r => Row.Parse(log, r, metrics)).ToList();
        Rewrite(rows);
    }

    /// <summary>
    /// Appends an epoch's scalars. Appending, not rewriting, is what lets a running TensorBoard follow the training:
    /// it reads each file on from where it stopped. A whole epoch goes out in one write.
    /// </summary>
    public void Append(int iteration, IReadOnlyDictionary<string, double> train, IReadOnlyDictionary<string, double> validation)
    {
        if (_trainFile is null || _validationFile is null)
        {
            throw new InvalidOperationException("The TensorBoard log is appended to before it was started or rewritten.");
        }
        var wallTime = WallTime();
        var step = GlobalStep(iteration);
        AppendRecords(_trainFile, metrics.Select(m => ScalarEvent(wallTime, step, m, train[m])));
        AppendRecords(_validationFile, metrics.Select(m => ScalarEvent(wallTime, step, m, validation[m])));
    }

    private void Rewrite(IReadOnlyList<Row> rows)
    {
        var wallTime = WallTime();
        _trainFile = RewriteFolder(trainDirectory, rows.SelectMany(r => metrics.Select(m => ScalarEvent(wallTime, r.Step, m, r.Train[m]))), wallTime);
        _validationFile = RewriteFolder(validationDirectory, rows.SelectMany(r => metrics.Select(m => ScalarEvent(wallTime, r.Step, m, r.Validation[m]))), wallTime);
    }

    /// <summary>
    /// The old files go first, then the new one appears whole: a crash between the two leaves no event file, which the
    /// next resume writes again from training.tsv, never two files with the same steps.
    /// </summary>
    private static string RewriteFolder(string directory, IEnumerable<byte[]> events, double wallTime)
    {
        Directory.CreateDirectory(directory);
        foreach (var old in Directory.EnumerateFiles(directory, "*tfevents*"))
        {
            File.Delete(old);
        }
        var path = Path.Combine(directory, FileName(wallTime));
        using var file = AtomicFile.Create(path);
        TfRecord.Write(file.Stream, FileVersionEvent(wallTime));
        foreach (var payload in events)
        {
            TfRecord.Write(file.Stream, payload);
        }
        file.Commit();
        return path;
    }

    private static void AppendRecords(string path, IEnumerable<byte[]> events)
    {
        var buffer = new MemoryStream();
        foreach (var payload in events)
        {
            TfRecord.Write(buffer, payload);
        }
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        buffer.WriteTo(stream);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>events.out.tfevents.&lt;10-digit unix time&gt;.&lt;host&gt;.&lt;pid&gt;.&lt;writer&gt;, torch's SummaryWriter's name.</summary>
    private static string FileName(double wallTime) => string.Create(CultureInfo.InvariantCulture,
        $"events.out.tfevents.{(long)wallTime:D10}.{Environment.MachineName}.{Environment.ProcessId}.{Interlocked.Increment(ref s_writers)}");

    private static double WallTime() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalSeconds;

    // tensorflow/core/util/event.proto and summary.proto: Event { double wall_time = 1; int64 step = 2;
    // oneof what { string file_version = 3; Summary summary = 5; } }, Summary { repeated Value value = 1; },
    // Value { string tag = 1; oneof value { float simple_value = 2; } }. As protobuf's own serializers do, a step
    // of 0 (proto3's default) is left out and the oneof members are always written.

    private static byte[] FileVersionEvent(double wallTime)
    {
        using var message = new ProtobufMessage().Double(1, wallTime).String(3, FileVersion);
        return message.ToArray();
    }

    private static byte[] ScalarEvent(double wallTime, long step, string tag, double value)
    {
        var summary = new ProtobufMessage().Message(1, new ProtobufMessage().String(1, tag).Float(2, (float)value));
        using var message = new ProtobufMessage().Double(1, wallTime);
        if (step != 0)
        {
            message.Int64(2, step);
        }
        return message.Message(5, summary).ToArray();
    }

    /// <summary>One kept training.tsv row: its global step and its values.</summary>
    private sealed record Row(long Step, Dictionary<string, double> Train, Dictionary<string, double> Validation)
    {
        public static Row Parse(TsvTable log, int row, IReadOnlyList<string> metrics)
        {
            double Number(string column)
            {
                var cell = log.IndexOf(column) is var index and >= 0 ? log.Rows[row][index] : throw new MapsException(
                    $"{log.Path} has no column '{column}', which the TensorBoard logs are written again from; its columns are {string.Join(", ", log.Columns)}.");
                // An undefined metric (an AUC over one class) is written NaN, which the table reads as missing.
                if (cell is null)
                {
                    return double.NaN;
                }
                return double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : throw new MapsException(
                    $"{log.Path}, line {TsvTable.LineOf(row)}, column '{column}': '{cell}' is not a number; training.tsv holds one in every cell.");
            }
            var iteration = Number("iteration");
            if (iteration != Math.Floor(iteration) || iteration < 1 || iteration > int.MaxValue)
            {
                throw new MapsException($"{log.Path}, line {TsvTable.LineOf(row)}, column 'iteration': '{log.Rows[row][log.IndexOf("iteration")]}' is not a count of batches (a whole number from 1).");
            }
            return new Row(GlobalStep((int)iteration),
                metrics.ToDictionary(m => m, m => Number($"{m}_train")), metrics.ToDictionary(m => m, m => Number($"{m}_valid")));
        }
    }
}
