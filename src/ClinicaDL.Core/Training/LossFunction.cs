using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Training;

/// <summary>
/// The losses ClinicaDL's tasks offer, by their PyTorch names (reconstruction: the regression ones, against the
/// input, and for the VAE networks ClinicaDL's VAE losses, computed by <see cref="VariationalLoss"/>).
/// </summary>
public static class LossFunction
{
    public static readonly string[] Classification = ["CrossEntropyLoss", "MultiMarginLoss"];
    public static readonly string[] Regression = ["MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss"];
    public static readonly string[] Variational = ["VAEGaussianLoss", "VAEBernoulliLoss", "VAEContinuousBernoulliLoss"];
    public static readonly string[] Reconstruction = [.. Regression, .. Variational];

    public static Tensor Compute(TrainingConfig config, Tensor output, Tensor target) => config.ResolvedLoss switch
    {
        "CrossEntropyLoss" => nn.functional.cross_entropy(output, target),
        "MultiMarginLoss" => nn.functional.multi_margin_loss(output, target),
        "MSELoss" => nn.functional.mse_loss(output, target),
        "L1Loss" => nn.functional.l1_loss(output, target),
        "SmoothL1Loss" => nn.functional.smooth_l1_loss(output, target),
        "HuberLoss" => nn.functional.huber_loss(output, target),
        var other => throw new ArgumentException($"Unknown loss '{other}'; {config.Task.Name} takes {string.Join(", ", config.Task.Losses)}."),
    };
}
