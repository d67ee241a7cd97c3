using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Training;

/// <summary>The optimisers a run can use, by torch.optim's names as ClinicaDL takes them.</summary>
public static class Optimizers
{
    public static IReadOnlyList<string> Names { get; } = ["Adam", "AdamW", "SGD", "RMSprop", "Adagrad", "Adadelta", "Adamax"];

    /// <summary>The optimiser of a validated configuration over a model's trainable parameters (frozen ones are left out, as ClinicaDL).</summary>
    public static optim.Optimizer Create(TrainingConfig config, nn.Module<Tensor, Tensor> model) => Create(config, model.parameters().Where(p => p.requires_grad).ToList());

    private static optim.Optimizer Create(TrainingConfig config, IReadOnlyList<TorchSharp.Modules.Parameter> parameters) => config.Optimizer switch
    {
        "Adam" => optim.Adam(parameters, config.LearningRate, weight_decay: config.WeightDecay),
        "AdamW" => optim.AdamW(parameters, config.LearningRate, weight_decay: config.WeightDecay),
        "SGD" => optim.SGD(parameters, config.LearningRate, weight_decay: config.WeightDecay),
        "RMSprop" => optim.RMSProp(parameters, config.LearningRate, weight_decay: config.WeightDecay),
        "Adagrad" => optim.Adagrad(parameters, config.LearningRate, weight_decay: config.WeightDecay),
        "Adadelta" => optim.Adadelta(parameters, config.LearningRate, weight_decay: config.WeightDecay),
        "Adamax" => optim.Adamax(parameters, config.LearningRate, weight_decay: config.WeightDecay),
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
