using ClinicaDL.Core.Generation;
using ClinicaDL.Core.Imaging;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Augmentation;

/// <summary>
/// The first phantom of the built-in data set (8 participants, 3 mm, seed 9) as a sample [1, 57, 70, 60] scaled to
/// [0, 1]: a realistic image for the augmentations, kept for the test class.
/// </summary>
public sealed class PhantomImageFixture : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clinicadl-augmentation-").FullName;

    public PhantomImageFixture()
    {
        TorchNatives.EnsureLoaded();
        var sessions = SyntheticDatasetGenerator.Generate(new SyntheticOptions
        {
            OutputPath = Path.Combine(_folder, "data"), ParticipantCount = 8, SessionCount = 1, VoxelSize = 3, Seed = 9, Threads = 1,
        }, overwrite: false);
        var path = sessions.Select(s => s.CapsPath).Order(StringComparer.Ordinal).First();
        var values = NiftiReader.ReadSingle(path, out _);
        // NIfTI order is x fastest: as a C-order tensor [z, y, x], permuted to [x, y, z].
        using var volume = tensor(values).reshape(60, 70, 57).permute(2, 1, 0).contiguous();
        using var scaled = volume / volume.max();
        Image = scaled.unsqueeze(0).DetachFromDisposeScope();
    }

    public Tensor Image { get; }

    public void Dispose()
    {
        Image.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
