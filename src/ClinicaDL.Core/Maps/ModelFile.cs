using ClinicaDL.Core.IO;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Maps;

/// <summary>A network's weights in a MAPS (best-&lt;metric&gt;/model.pt, all_models/...), written atomically.</summary>
public static class ModelFile
{
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
}
