using static TorchSharp.torch;

namespace ClinicaDL.Core.Maps;

/// <summary>A network's weights in a MAPS (best-&lt;metric&gt;/model.pt, all_models/...), written atomically.</summary>
public static class ModelFile
{
    public static void Save(nn.Module<Tensor, Tensor> model, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        try
        {
            model.save(temporary);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            // A failed save (a full disk) leaves no partial model behind.
            File.Delete(temporary);
        }
    }
}
