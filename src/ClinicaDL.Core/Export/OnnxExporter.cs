using static TorchSharp.torch;

namespace ClinicaDL.Core.Export;

/// <summary>
/// Writes a network of this module as an ONNX model (opset <see cref="Opset"/>): input <c>input</c> [batch,
/// sample shape], output <c>output</c> the network's raw outputs (logits for classification, the reconstruction
/// for autoencoders), the batch dimension dynamic, the weights as initializers, BatchNorm with its running
/// statistics and Dropout left out (inference). A network or layer it cannot write is refused with a
/// <see cref="ModelExportException"/> before anything is written.
/// </summary>
public static class OnnxExporter
{
    public const int Opset = OnnxGraph.Opset;

    /// <param name="network">Left in the mode it was in (the export itself runs it in eval mode).</param>
    /// <param name="sampleShape">One sample's shape, channels first, as the network was built for.</param>
    /// <param name="destination">Receives the ModelProto's bytes.</param>
    /// <param name="metadata">ModelProto metadata_props (the MAPS, split, selection metric...).</param>
    /// <returns>The shape of one sample's raw outputs.</returns>
    public static long[] Write(nn.Module<Tensor, Tensor> network, long[] sampleShape, Stream destination, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var training = network.training;
        network.eval();
        try
        {
            using var noGrad = no_grad();
            using var graph = new OnnxGraph();
            var input = new OnnxValue(OnnxGraph.InputName, sampleShape);
            var output = new OnnxTranslation(graph, network.GetName()).Network(network, input);
            graph.Write(destination, network.GetName(), input, output, metadata ?? new Dictionary<string, string>());
            return output.Shape;
        }
        finally
        {
            network.train(training);
        }
    }
}
