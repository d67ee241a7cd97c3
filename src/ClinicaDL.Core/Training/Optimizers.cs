using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Training;

/// <summary>The optimisers a run can use, by torch.optim's names as ClinicaDL takes them.</summary>
public static class Optimizers
{
    public static IReadOnlyList<string> Names { get; } = ["Adam", "AdamW", "SGD", "RMSprop", "Adagrad", "Adadelta", "Adamax"];

    /// <summary>The optimiser of a validated configuration over a model's parameters.</summary>
    public static optim.Optimizer Create(TrainingConfig config, nn.Module<Tensor, Tensor> model) => config.Optimizer switch
    {
        "Adam" => optim.Adam(model.parameters(), config.LearningRate, weight_decay: config.WeightDecay),
        "AdamW" => optim.AdamW(model.parameters(), config.LearningRate, weight_decay: config.WeightDecay),
        "SGD" => optim.SGD(model.parameters(), config.LearningRate, weight_decay: config.WeightDecay),
        "RMSprop" => optim.RMSProp(model.parameters(), config.LearningRate, weight_decay: config.WeightDecay),
        "Adagrad" => optim.Adagrad(model.parameters(), config.LearningRate, weight_decay: config.WeightDecay),
        "Adadelta" => optim.Adadelta(model.parameters(), config.LearningRate, weight_decay: config.WeightDecay),
        "Adamax" => optim.Adamax(model.parameters(), config.LearningRate, weight_decay: config.WeightDecay),
        var other => throw new ArgumentException($"Unknown optimizer '{other}'; known: {string.Join(", ", Names)}."),
    };

    /// <summary>Sets the rate the optimiser's next steps use (its one parameter group), as a torch scheduler writes param_group["lr"].</summary>
    public static void SetLearningRate(optim.Optimizer optimizer, double rate)
    {
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = rate;
        }
    }
}
