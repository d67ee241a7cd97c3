using System.Collections;
using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.IO;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Maps;

/// <summary>
/// A network's weights in a MAPS, in either of two files: this module's <c>model.pt</c> (TorchSharp's format,
/// best-&lt;metric&gt;/, all_models/...) and ClinicaDL's <c>model.pth.tar</c> (PyTorch's format holding
/// <c>{"model": state_dict, "epoch": n, "name": architecture}</c>, which <c>clinicadl predict</c> and plain
/// <c>torch.load</c> read). Both are written atomically; either is read.
/// </summary>
public static class ModelFile
{
    /// <summary>ClinicaDL's name for a model file.</summary>
    public const string ClinicaDlExtension = ".pth.tar";

    public static void Save(nn.Module<Tensor, Tensor> model, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // A failed save (a full disk) leaves the previous model, and no partial one.
        using var file = AtomicFile.Create(path);
        using (var writer = new BinaryWriter(file.Stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            model.save(writer);
        }
        file.Commit();
    }

    /// <summary>
    /// ClinicaDL's model file: the state dictionary under the same names and shapes as ClinicaDL's network of that
    /// architecture (this module's networks are built with ClinicaDL's layer names), BatchNorm buffers included.
    /// </summary>
    public static void SaveForClinicaDl(nn.Module<Tensor, Tensor> model, string path, int epoch, string architecture)
    {
        var stateDict = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in model.state_dict())
        {
            stateDict[name] = tensor;
        }
        PyTorchFile.Write(path, new Dictionary<string, object> { ["model"] = stateDict, ["epoch"] = epoch, ["name"] = architecture });
    }

    /// <summary>
    /// Loads weights from either file into <paramref name="model"/>. From a ClinicaDL file every name and shape must
    /// match the network, else the error lists what is missing, unexpected or of another shape.
    /// </summary>
    public static void Load(nn.Module<Tensor, Tensor> model, string path)
    {
        if (!path.EndsWith(ClinicaDlExtension, StringComparison.Ordinal))
        {
            DamagedFile.Guard(path, "model file", "train this split again, or restore the file", () => model.load(path));
            return;
        }
        var stateDict = ReadClinicaDlStateDict(path);
        try
        {
            CheckMatches(model, stateDict, path);
            using (no_grad())
            {
                model.load_state_dict(stateDict, strict: true);
            }
        }
        finally
        {
            foreach (var tensor in stateDict.Values)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>The state dictionary of a ClinicaDL model file, tensors on the CPU (the caller disposes them).</summary>
    public static Dictionary<string, Tensor> ReadClinicaDlStateDict(string path)
    {
        var content = PyTorchFile.ReadDictionary(path);
        if (content["model"] is not Hashtable weights)
        {
            throw new MapsException($"'{path}' is not a ClinicaDL model file: it has no \"model\" state dictionary (keys: {string.Join(", ", content.Keys.Cast<object>())}).");
        }
        var stateDict = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in weights)
        {
            stateDict[(string)entry.Key] = (Tensor)entry.Value!;
        }
        return stateDict;
    }

    private static void CheckMatches(nn.Module<Tensor, Tensor> model, Dictionary<string, Tensor> stateDict, string path)
    {
        if (Mismatch(model.state_dict(), stateDict) is { } mismatch)
        {
            throw new MapsException($"The weights of '{path}' do not fit this {model.GetName()} network.{mismatch}");
        }
    }

    /// <summary>
    /// How given weights differ from those a network expects, by name and shape (what is missing, what the network
    /// does not have, what has another shape), as sentences; null when they fit.
    /// </summary>
    public static string? Mismatch(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> given)
    {
        var missing = expected.Keys.Where(k => !given.ContainsKey(k)).ToList();
        var unexpected = given.Keys.Where(k => !expected.ContainsKey(k)).ToList();
        var reshaped = expected.Where(e => given.TryGetValue(e.Key, out var t) && !t.shape.SequenceEqual(e.Value.shape))
            .Select(e => $"{e.Key} ({string.Join("x", given[e.Key].shape)} given, {string.Join("x", e.Value.shape)} expected)").ToList();
        static string List(string what, List<string> names) => names.Count == 0 ? "" : $" {what}: {string.Join(", ", names.Take(8))}{(names.Count > 8 ? $" and {names.Count - 8} more" : "")}.";
        return missing.Count + unexpected.Count + reshaped.Count == 0 ? null
            : List("Missing", missing) + List("Not in the network", unexpected) + List("Other shape", reshaped);
    }
}
