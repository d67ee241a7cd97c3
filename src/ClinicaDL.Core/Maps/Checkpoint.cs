using System.Text.Json;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Maps;

/// <summary>
/// The state a split needs to resume exactly where it stopped: the last finished epoch, the model and optimiser
/// states, torch's random generator, the model-selection and early-stopping state and, with adaptive_learning_rate,
/// the plateau reduction's state (the scheduled rates are a function of the epoch and need none) and, with float16
/// mixed precision, the loss scale. One file, written
/// atomically after every epoch, so a killed process leaves the previous epoch's checkpoint intact.
/// </summary>
internal sealed class Checkpoint
{
    private const string Magic = "ClinicaDL-checkpoint-1";

    // Best values start at plus or minus infinity.
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public required int Epoch { get; init; }
    public required Dictionary<string, double> Best { get; init; }
    public required int EpochsWithoutImprovement { get; init; }
    public required double BestLoss { get; init; }

    /// <summary>Null without adaptive_learning_rate (and in checkpoints written before it existed).</summary>
    public PlateauReduction.State? Plateau { get; init; }

    /// <summary>The loss scaling of float16 mixed precision; null otherwise.</summary>
    public GradientScaler.State? LossScale { get; init; }

    public void Save(string path, nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var file = AtomicFile.Create(path);
        using (var writer = new BinaryWriter(file.Stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(JsonSerializer.Serialize(new State(Epoch, Best, EpochsWithoutImprovement, BestLoss, Plateau, LossScale), Json));
            using var rngState = get_rng_state();
            var rng = rngState.data<byte>().ToArray();
            writer.Write(rng.Length);
            writer.Write(rng);
            model.save(writer);
            Helper(optimizer).save_state_dict(writer);
        }
        file.Commit();
    }

    public static Checkpoint Load(string path, nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer) =>
        DamagedFile.Guard(path, "checkpoint", "delete the split's tmp/ folder to train it again from its first epoch", () =>
        {
            using var stream = File.OpenRead(path);
            using var reader = new BinaryReader(stream);
            if (reader.ReadString() != Magic)
            {
                throw new MapsException($"'{path}' is not a checkpoint of this module: the MAPS is damaged; train this split again.");
            }
            var state = JsonSerializer.Deserialize<State>(reader.ReadString(), Json)!;
            var rng = reader.ReadBytes(reader.ReadInt32());
            // libtorch aborts the process (an uncatchable c10::Error) on a generator state of another size: checked here.
            using (var current = get_rng_state())
            {
                if (rng.Length != current.shape[0])
                {
                    throw new EndOfStreamException($"its random generator state has {rng.Length} bytes where libtorch's has {current.shape[0]}");
                }
            }
            using (var rngState = tensor(rng))
            {
                set_rng_state(rngState);
            }
            model.load(reader);
            Helper(optimizer).load_state_dict(reader);
            return new Checkpoint
            {
                Epoch = state.Epoch, Best = state.Best, EpochsWithoutImprovement = state.EpochsWithoutImprovement, BestLoss = state.BestLoss, Plateau = state.Plateau,
                LossScale = state.LossScale,
            };
        });

    private sealed record State(int Epoch, Dictionary<string, double> Best, int EpochsWithoutImprovement, double BestLoss, PlateauReduction.State? Plateau = null,
        GradientScaler.State? LossScale = null);

    /// <summary>TorchSharp's optimisers save and load their state through OptimizerHelper.</summary>
    private static TorchSharp.Modules.OptimizerHelper Helper(optim.Optimizer optimizer) => optimizer as TorchSharp.Modules.OptimizerHelper
        ?? throw new NotSupportedException($"The optimiser {optimizer.GetType().Name} cannot save its state.");
}
