using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// A network exported from PyTorch with torch.jit.save (a TorchScript archive, .pt or .ts), for what a network file
/// cannot describe. It is trained from the weights the file holds (the seed does not initialise it), in training
/// or evaluation mode like any network (BatchNorm and Dropout follow train() and eval()), and its state dict is the
/// TorchScript module's under <c>script.</c>. It serves classification and regression when it gives the task's
/// outputs, reconstruction when it gives back the input's shape. Grad-CAM needs feature layers it does not expose.
/// </summary>
public sealed class TorchScriptNetwork : nn.Module<Tensor, Tensor>
{
    /// <summary>The extensions of a TorchScript archive.</summary>
    public static readonly IReadOnlyList<string> Extensions = [".pt", ".ts"];

    private readonly jit.ScriptModule<Tensor, Tensor> script;

    private TorchScriptNetwork(string path, jit.ScriptModule<Tensor, Tensor> module) : base(System.IO.Path.GetFileNameWithoutExtension(path))
    {
        script = module;
        RegisterComponents();
    }

    /// <summary>Whether an architecture setting names a TorchScript archive (by its extension).</summary>
    public static bool IsTorchScript(string architecture) =>
        Extensions.Contains(System.IO.Path.GetExtension(architecture), StringComparer.OrdinalIgnoreCase);

    /// <summary>Loads the archive and checks it takes samples of <paramref name="inputShape"/> and gives the task's outputs.</summary>
    public static TorchScriptNetwork Load(string path, long[] inputShape, int outputSize, bool reconstruction)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"TorchScript file '{path}' does not exist.", path);
        }
        jit.ScriptModule<Tensor, Tensor> module;
        try
        {
            module = jit.load<Tensor, Tensor>(path);
        }
        catch (ExternalException error)
        {
            throw new NetworkFileException(path, $"libtorch cannot load it as a TorchScript module (a file written by torch.jit.save; torch.save of a model is not one): {FirstLine(error)}", error);
        }
        var network = new TorchScriptNetwork(path, module);
        try
        {
            if (!network.parameters().Any(p => p.requires_grad))
            {
                throw new NetworkFileException(path, "the module has no trainable parameter (were they frozen, or saved as buffers or constants by torch.jit.freeze?).");
            }
            var output = OutputShape(network, inputShape, path);
            var expected = reconstruction ? inputShape : [outputSize];
            if (!output.SequenceEqual(expected))
            {
                throw new NetworkFileException(path, $"for one sample of {NetworkFileLayers.Shape(inputShape)} it gives {NetworkFileLayers.Shape(output)}; " +
                    (reconstruction ? "a reconstruction network gives back the input's shape." : $"this task needs {outputSize} output(s) per sample."));
            }
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    public override Tensor forward(Tensor input) => script.forward(input);

    /// <summary>
    /// The modules listed whole before anyone walks them: Module.Dispose disposes each as it walks, and a lazy walk
    /// would then ask the disposed script for its own submodules.
    /// </summary>
    public override IEnumerable<(string name, nn.Module module)> named_modules() => base.named_modules().ToList();

    private static long[] OutputShape(TorchScriptNetwork network, long[] inputShape, string path)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        network.eval();
        try
        {
            return network.forward(zeros([1, .. inputShape])).shape[1..];
        }
        catch (ExternalException error)
        {
            throw new NetworkFileException(path, $"it cannot take a batch of samples of {NetworkFileLayers.Shape(inputShape)}: {FirstLine(error)}", error);
        }
        finally
        {
            network.train();
        }
    }

    private static string FirstLine(ExternalException error) => error.Message.Split('\n')[0].Trim();
}
