using System.Collections;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using ClinicaDL.Core.IO;
using Razorvine.Pickle;
using Razorvine.Pickle.Objects;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Imaging;

/// <summary>
/// PyTorch's file format (what <c>torch.save</c> writes since PyTorch 1.6: a zip holding <c>data.pkl</c>, a
/// pickle whose tensors point at raw storages under <c>data/</c>). ClinicaDL keeps its models
/// (<c>model.pth.tar</c>, a dictionary) and its extracted images (<c>.pt</c>, a bare tensor) in it.
/// Writing is TorchSharp.PyBridge's. Reading is not only PyBridge's, which reads a dictionary of contiguous
/// tensors only, while ClinicaDL's images are bare tensors over NumPy's Fortran-ordered arrays (strided): the
/// pickle is still parsed by PyBridge's Razorvine.Pickle, and only the tensor rebuild is done here.
/// </summary>
public static class PyTorchFile
{
    public const string TensorExtension = ".pt";

    /// <summary>The dictionary a file holds (e.g. ClinicaDL's <c>{"model": state_dict, "epoch": n, "name": architecture}</c>), tensors on the CPU.</summary>
    public static Hashtable ReadDictionary(string path) =>
        Read(path, shapeOnly: false) as Hashtable ?? throw new InvalidTensorFileException($"'{path}' holds a PyTorch object that is not a dictionary (a model file holds {{\"model\": state_dict, ...}}).");

    /// <summary>The tensor a file saved by <c>torch.save(tensor)</c> holds, as float32 on the CPU, contiguous (the caller disposes it).</summary>
    public static Tensor ReadTensor(string path)
    {
        if (Read(path, shapeOnly: false) is not Tensor read)
        {
            throw new InvalidTensorFileException($"'{path}' holds a PyTorch object that is not a tensor.");
        }
        if (read.dtype == ScalarType.Float32)
        {
            return read;
        }
        using (read)
        {
            return read.to_type(ScalarType.Float32);
        }
    }

    /// <summary>
    /// The shape of the tensor a file saved by <c>torch.save(tensor)</c> holds, from its pickle alone (the storage is
    /// not read): checking an image's shape costs no read of its voxels.
    /// </summary>
    public static long[] ReadTensorShape(string path) => Read(path, shapeOnly: true) is TensorShape shape
        ? shape.Size
        : throw new InvalidTensorFileException($"'{path}' holds a PyTorch object that is not a tensor.");

    /// <summary>
    /// Writes a dictionary of tensors, numbers, strings and nested dictionaries that <c>torch.load</c> reads,
    /// atomically. PyBridge deflates its entries and stamps them with the current time; they are copied stored,
    /// as torch.save writes them (nothing to inflate on load), and with a fixed time, so that the same weights
    /// give the same bytes whenever they are written.
    /// </summary>
    public static void Write(string path, IDictionary content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var pickled = new MemoryStream();
        PyTorchPickler.PickleStateDict(pickled, content, leaveOpen: true);
        pickled.Position = 0;
        using var file = AtomicFile.Create(path);
        using (var source = new ZipArchive(pickled, ZipArchiveMode.Read, leaveOpen: true))
        using (var target = new ZipArchive(file.Stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                var copy = target.CreateEntry(entry.FullName, CompressionLevel.NoCompression);
                copy.LastWriteTime = FixedEntryTime;
                using var from = entry.Open();
                using var to = copy.Open();
                from.CopyTo(to);
            }
        }
        file.Commit();
    }

    /// <summary>The zip format's earliest time: entries carry no meaningful one.</summary>
    private static readonly DateTimeOffset FixedEntryTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static object Read(string path, bool shapeOnly)
    {
        using var stream = File.OpenRead(path);
        var signature = new byte[4];
        if (stream.Read(signature) < 4 || signature[0] != 0x50 || signature[1] != 0x4b)
        {
            throw new InvalidTensorFileException($"'{path}' is not a PyTorch file of the zip format (torch.save since PyTorch 1.6); a file from an older PyTorch must be saved again.");
        }
        stream.Position = 0;
        try
        {
            using var archive = new ZipArchive(stream, ZipArchiveMode.Read);
            var pickle = archive.Entries.FirstOrDefault(e => e.FullName.EndsWith("data.pkl", StringComparison.Ordinal))
                ?? throw new InvalidTensorFileException($"'{path}' is a zip without the data.pkl of a PyTorch file.");
            using var unpickler = new StorageUnpickler(archive, shapeOnly);
            using var content = pickle.Open();
            return unpickler.load(content);
        }
        catch (Exception error) when (error is PickleException or InvalidDataException or InvalidCastException or NotSupportedException or IndexOutOfRangeException or EndOfStreamException)
        {
            throw new InvalidTensorFileException($"'{path}' cannot be read as a PyTorch file: {error.Message}");
        }
    }

    /// <summary>A storage (data/&lt;key&gt; in the zip) as the pickle's persistent id names it; with ShapeOnly its tensors are not read.</summary>
    private sealed record Storage(ZipArchiveEntry Entry, ScalarType Type, long Count, bool ShapeOnly);

    /// <summary>What a tensor is rebuilt as when only its shape is asked for.</summary>
    private sealed record TensorShape(long[] Size);

    /// <summary>Resolves the pickle's persistent ids ("storage", type, key, location, count) to the zip's entries.</summary>
    private sealed class StorageUnpickler(ZipArchive archive, bool shapeOnly) : Unpickler
    {
        static StorageUnpickler()
        {
            // Razorvine's constructors are process-wide, and PyBridge registers its own for these names: PyBridge's
            // are set first and kept for the storages of its own unpickler, so both readers keep working.
            RuntimeHelpers.RunClassConstructor(typeof(PyTorchUnpickler).TypeHandle);
            foreach (var name in new[] { "_rebuild_tensor", "_rebuild_tensor_v2" })
            {
                objectConstructors.TryGetValue($"torch._utils.{name}", out var other);
                registerConstructor("torch._utils", name, new TensorRebuild(other));
            }
        }

        protected override object persistentLoad(object pid)
        {
            var id = (object[])pid;
            if (id.Length < 5 || id[0] as string != "storage")
            {
                throw new PickleException($"unknown persistent id '{id.FirstOrDefault()}' (a PyTorch file names storages)");
            }
            var key = (string)id[2];
            var entry = archive.Entries.FirstOrDefault(e => e.FullName.EndsWith($"data/{key}", StringComparison.Ordinal))
                ?? throw new PickleException($"the storage data/{key} is missing from the zip");
            return new Storage(entry, StorageType(((ClassDictConstructor)id[1]).name), Convert.ToInt64(id[4], System.Globalization.CultureInfo.InvariantCulture), shapeOnly);
        }

        private static ScalarType StorageType(string name) => name switch
        {
            "FloatStorage" => ScalarType.Float32,
            "DoubleStorage" => ScalarType.Float64,
            "HalfStorage" => ScalarType.Float16,
            "BFloat16Storage" => ScalarType.BFloat16,
            "LongStorage" => ScalarType.Int64,
            "IntStorage" => ScalarType.Int32,
            "ShortStorage" => ScalarType.Int16,
            "CharStorage" => ScalarType.Int8,
            "ByteStorage" => ScalarType.Byte,
            "BoolStorage" => ScalarType.Bool,
            _ => throw new NotSupportedException($"storages of type {name} are not read"),
        };
    }

    /// <summary>
    /// torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks): the storage read whole,
    /// then viewed with its size, stride and offset, and copied contiguous.
    /// </summary>
    private sealed class TensorRebuild(IObjectConstructor? other) : IObjectConstructor
    {
        public object construct(object[] args)
        {
            if (args[0] is not Storage storage)
            {
                return other?.construct(args) ?? throw new PickleException("a tensor without a storage");
            }
            var size = ((object[])args[2]).Select(d => Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            if (storage.ShapeOnly)
            {
                return new TensorShape(size);
            }
            var offset = Convert.ToInt64(args[1], System.Globalization.CultureInfo.InvariantCulture);
            var stride = ((object[])args[3]).Select(d => Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            using var data = empty([storage.Count], storage.Type);
            using (var bytes = storage.Entry.Open())
            {
                data.ReadBytesFromStream(bytes);
            }
            using var view = data.as_strided(size, stride, offset);
            return view.contiguous();
        }
    }
}
