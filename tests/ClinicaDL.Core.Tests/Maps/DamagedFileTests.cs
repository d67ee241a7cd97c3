using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Training;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Maps;

/// <summary>
/// Every binary file the module reads back from a MAPS: one damaged after it was written (cut short, or other bytes)
/// is refused naming the file and the remedy, never with the reader's bare end-of-stream error.
/// </summary>
public sealed class DamagedFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clinicadl-damaged-").FullName;

    public DamagedFileTests() => TorchNatives.EnsureLoaded();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string> Damages => new() { "text", "cut" };

    private static nn.Module<Tensor, Tensor> Model() => nn.Sequential(("fc", nn.Linear(4, 2)));

    private void Damage(string path, string damage)
    {
        if (damage == "text")
        {
            File.WriteAllText(path, "not a checkpoint\n");
        }
        else
        {
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        }
    }

    [Theory]
    [MemberData(nameof(Damages))]
    public void A_damaged_checkpoint_is_named_with_its_remedy(string damage)
    {
        using var model = Model();
        using var optimizer = optim.Adam(model.parameters());
        var path = Path.Combine(_folder, "checkpoint.pt");
        new Checkpoint { Epoch = 3, Best = new() { ["loss"] = 0.5 }, EpochsWithoutImprovement = 1, BestLoss = 0.5 }.Save(path, model, optimizer);
        Damage(path, damage);
        var error = Assert.Throws<MapsException>(() => Checkpoint.Load(path, model, optimizer));
        Assert.Contains($"'{path}' is not a", error.Message);
        Assert.Contains("checkpoint", error.Message);
    }

    [Theory]
    [MemberData(nameof(Damages))]
    public void A_damaged_model_file_is_named_with_its_remedy(string damage)
    {
        using var model = Model();
        var path = Path.Combine(_folder, "model.pt");
        ModelFile.Save(model, path);
        Damage(path, damage);
        var error = Assert.Throws<MapsException>(() => ModelFile.Load(model, path));
        Assert.Contains($"'{path}' is not a whole model file of this module", error.Message);
    }
}
