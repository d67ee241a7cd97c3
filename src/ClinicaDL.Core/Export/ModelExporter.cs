using System.Globalization;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Runtime;
using ClinicaDL.Core.Selection;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Training;

namespace ClinicaDL.Core.Export;

/// <summary>
/// Writes one kept model of a MAPS (split-&lt;k&gt;/best-&lt;metric&gt;/model.pt or ClinicaDL's model.pth.tar, or network-&lt;n&gt;_model.* with
/// multi_network) as a file other tools run: the network rebuilt from maps.json for its input_size, the weights
/// loaded, then written atomically (a failed export leaves no file and an existing one untouched). Everything the
/// MAPS is asked for is checked before the model is loaded.
/// </summary>
public static class ModelExporter
{
    /// <summary>ClinicaDL's default selection metric, taken when the MAPS kept it and none is asked for.</summary>
    private const string DefaultSelectionMetric = "loss";

    public static ExportedModel Export(ModelExportOptions options, Action<string>? log = null)
    {
        var maps = MapsFolder.Open(options.MapsPath);
        var config = maps.Configuration;
        var split = ChooseSplit(maps, options.Split);
        var trainedMetrics = maps.SelectionMetrics.Count > 0 ? maps.SelectionMetrics : config.SelectionMetrics;
        MapsSelection.ThrowIfAny(MapsSelection.MissingSelectionMetrics(maps, options.SelectionMetric is null ? null : [options.SelectionMetric], trainedMetrics));
        var metric = options.SelectionMetric
            ?? (trainedMetrics.Contains(DefaultSelectionMetric) ? DefaultSelectionMetric : trainedMetrics.FirstOrDefault())
            ?? throw new MapsException($"'{maps.Layout.Root}' names no selection metric, so it has no best model to export.");
        var network = ChooseNetwork(maps, config.MultiNetwork, split, metric, options.Network);
        var modelPath = maps.Split(split).FindBestModel(metric, network)
            ?? throw new MapsException($"'{maps.Split(split).BestModel(metric, network)}' is missing: split {split} has no best-{metric} model{(network is null ? "" : $" for network {network}")} (its training did not reach a first evaluation, or the file was removed).");
        var inputShape = maps.InputSize?.ToArray()
            ?? throw new MapsException($"The maps.json of '{maps.Root}' has no input_size: the network cannot be rebuilt for its input without it.");
        if (options.Format == ModelFormat.PyTorch && Networks.NetworkRegistry.ClinicaDlMismatch(config.ResolvedArchitecture, inputShape) is { } mismatch)
        {
            throw new ModelExportException(config.ResolvedArchitecture, "", $"{config.ResolvedArchitecture} cannot be written as ClinicaDL's model file: {mismatch}.");
        }
        var outputPath = Path.GetFullPath(options.OutputPath);
        CheckWritable(outputPath, options.Overwrite);

        TorchRuntime.EnsureLoaded();
        log?.Invoke($"Loading {Path.GetRelativePath(maps.Root, modelPath)} ({config.ResolvedArchitecture}, input {string.Join("x", inputShape)}).");
        using var model = config.NewNetwork(inputShape);
        ModelFile.Load(model, modelPath);
        var metadata = new Dictionary<string, string>
        {
            ["clinicadl_architecture"] = config.ResolvedArchitecture,
            ["clinicadl_task"] = config.NetworkTask,
            ["clinicadl_split"] = split.ToString(CultureInfo.InvariantCulture),
            ["clinicadl_selection_metric"] = metric,
            ["clinicadl_input_size"] = string.Join(",", inputShape),
        };
        if (network is { } index)
        {
            metadata["clinicadl_network"] = index.ToString(CultureInfo.InvariantCulture);
        }
        if (config.Task == TrainingTask.Classification)
        {
            // The output index of each label, so that a consumer of the logits can name the classes.
            metadata["clinicadl_labels"] = string.Join(",", config.LabelCode.OrderBy(c => c.Value).Select(c => c.Key));
        }
        Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);
        long[] outputShape;
        if (options.Format == ModelFormat.PyTorch)
        {
            ModelFile.SaveForClinicaDl(model, outputPath, KeptEpoch(maps.Split(split), modelPath, metric, network), config.ResolvedArchitecture);
            outputShape = OutputShape(model, inputShape);
        }
        else
        {
            using var file = AtomicFile.Create(outputPath);
            outputShape = OnnxExporter.Write(model, inputShape, file.Stream, metadata);
            file.Commit();
        }
        log?.Invoke($"Wrote {outputPath}.");
        return new ExportedModel
        {
            Path = outputPath, Format = options.Format.ToString(), Architecture = config.ResolvedArchitecture, Network = network, Split = split,
            SelectionMetric = metric, InputShape = new(inputShape, "x"), OutputShape = new(outputShape, "x"), Opset = options.Format == ModelFormat.Onnx ? OnnxExporter.Opset : null,
            Bytes = new FileInfo(outputPath).Length, MapsPath = maps.Root,
        };
    }

    /// <summary>
    /// The epoch the model was kept at, which ClinicaDL's file records: from a ClinicaDL file itself, else from the
    /// split's training log (-1 when the log has no row to tell, as ClinicaDL 1.6's empty training.tsv).
    /// </summary>
    private static int KeptEpoch(SplitLayout split, string modelPath, string metric, int? network)
    {
        if (modelPath.EndsWith(ModelFile.ClinicaDlExtension, StringComparison.Ordinal))
        {
            return Convert.ToInt32(Imaging.PyTorchFile.ReadDictionary(modelPath)["epoch"], CultureInfo.InvariantCulture);
        }
        var log = split.TrainingLog(network);
        if (!File.Exists(log))
        {
            return -1;
        }
        var rows = TrainingLog.Read(log);
        return rows.Rows.Count == 0 ? -1 : TrainingLog.BestEpoch(rows, metric);
    }

    /// <summary>One sample's output shape, from a forward pass on zeros in evaluation mode.</summary>
    private static long[] OutputShape(TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> model, long[] inputShape)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var noGrad = TorchSharp.torch.no_grad();
        model.eval();
        return model.forward(TorchSharp.torch.zeros([1, .. inputShape]))!.shape[1..];
    }

    /// <summary>The asked split, or the MAPS' only one: with several, which one to export is the caller's choice.</summary>
    private static int ChooseSplit(MapsFolder maps, int? split)
    {
        if (split is { } asked)
        {
            MapsSelection.ThrowIfAny(MapsSelection.MissingSplits(maps, [asked]));
            return asked;
        }
        return maps.Splits switch
        {
            [var only] => only,
            [] => throw new MapsException($"'{maps.Root}' has no split folder, so no trained model to export."),
            var several => throw new ArgumentException($"'{maps.Root}' has splits {string.Join(", ", several)}: name the one whose model to export (-Split)."),
        };
    }

    /// <summary>With multi_network, the asked network (it must have its model file); without, none.</summary>
    private static int? ChooseNetwork(MapsFolder maps, bool multiNetwork, int split, string metric, int? network)
    {
        if (!multiNetwork)
        {
            return network is null ? null
                : throw new ArgumentException($"'{maps.Root}' holds one network (it was not trained with multi_network): leave -Network out.");
        }
        var present = maps.Split(split).KeptNetworks(metric);
        var names = present.Select(n => n.ToString(CultureInfo.InvariantCulture)).ToList();
        if (network is not { } asked)
        {
            throw new ArgumentException($"'{maps.Root}' holds one network per part (multi_network; networks {string.Join(", ", names)}): name the one to export (-Network).");
        }
        if (!present.Contains(asked))
        {
            throw new NotFoundException(new MissingName(NotFoundKind.Network, asked.ToString(CultureInfo.InvariantCulture), $"split {split}, best-{metric} of '{maps.Root}'", names));
        }
        return asked;
    }

    private static void CheckWritable(string path, bool overwrite)
    {
        if (Directory.Exists(path))
        {
            throw new ArgumentException($"'{path}' is a folder: give the path of the model file to write.");
        }
        if (File.Exists(path) && !overwrite)
        {
            throw new OutputExistsException(path, $"'{path}' exists: replace it with -Force, or choose another path.");
        }
    }
}
