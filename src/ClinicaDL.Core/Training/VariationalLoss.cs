using ClinicaDL.Core.Runtime;
using ClinicaDL.Core.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Training;

/// <summary>
/// ClinicaDL's VAE losses (clinicadl/utils/network/vae/vae_utils.py) on one batch, combined as the network's
/// compute_outputs_and_loss does (<see cref="IVariationalAutoEncoder.Total"/>). Every loss has the same KL term,
/// 0.5 x sum(-1 - logvar + mean^2 + exp(logvar)) / batch size; the reconstruction term is summed over the batch:
/// VAEGaussianLoss squared error, VAEBernoulliLoss binary cross-entropy, VAEContinuousBernoulliLoss binary
/// cross-entropy plus the log-constant sum, its terms in ClinicaDL's order (KL first, which ClinicaDL's networks
/// then weigh as the reconstruction: the same total when both weights are 1).
/// </summary>
public static class VariationalLoss
{
    /// <summary>ClinicaDL's names of a VAE loss's first two terms (its loss_dict's recon_loss and kl_loss), which its metrics files list after loss.</summary>
    public static readonly string[] TermNames = ["recon_loss", "kl_loss"];

    /// <summary>
    /// The reconstruction (from a sampled code in training mode, the mean in evaluation mode), the loss, and the two
    /// terms ClinicaDL reports as recon_loss and kl_loss: its criterion's first and second values, so with
    /// VAEContinuousBernoulliLoss, whose criterion returns the KL first, recon_loss holds the KL term (as in ClinicaDL).
    /// </summary>
    public static (Tensor Reconstruction, Tensor Loss, Tensor ReconstructionTerm, Tensor KlTerm) Compute(IVariationalAutoEncoder network, string lossName, Tensor input)
    {
        using var scope = NewDisposeScope();
        var (reconstruction, mean, logVariance) = network.ForwardWithCode(input);
        using var scalars = new ScalarScope();
        var batch = (double)mean.shape[0];
        var kl = (mean.pow(scalars.Of(2L)).Plus(logVariance.exp()) - logVariance - scalars.Of(1L)).sum() * scalars.Of(0.5 / batch);
        Tensor first, second, loss;
        if (network.OwnsLoss)
        {
            // CVAE_3D's own loss: the squared error summed per image.
            (first, second) = ((reconstruction - input).pow(scalars.Of(2L)).sum() / scalars.Of(batch), kl);
            loss = network.Total(first, second, null);
        }
        else
        {
            (first, second, var logConstant) = lossName switch
            {
                "VAEGaussianLoss" => (nn.functional.mse_loss(reconstruction, input, nn.Reduction.Sum), kl, (Tensor?)null),
                "VAEBernoulliLoss" => (nn.functional.binary_cross_entropy(reconstruction, input, reduction: nn.Reduction.Sum), kl, null),
                "VAEContinuousBernoulliLoss" => (kl, nn.functional.binary_cross_entropy(reconstruction, input, reduction: nn.Reduction.Sum), SumLogConstant(reconstruction)),
                var other => throw new ArgumentException($"loss: {other} is not one of ClinicaDL's VAE losses ({string.Join(", ", LossFunction.Variational)})."),
            };
            loss = network.Total(first, second, logConstant);
        }
        return (reconstruction.MoveToOuterDisposeScope(), loss.MoveToOuterDisposeScope(), first.MoveToOuterDisposeScope(), second.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// ClinicaDL's sumlogC: the sum of log C(x) of the continuous Bernoulli, x clamped to [1e-5, 1 - 1e-5], with its
    /// second-order Taylor form log 2 + log(1 + (1 - 2x)^2 / 3) where |x - 0.5| &lt; 1e-5.
    /// </summary>
    private static Tensor SumLogConstant(Tensor values)
    {
        const double epsilon = 1e-5;
        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        var (one, two) = (scalars.Of(1L), scalars.Of(2L));
        var x = values.clamp(scalars.Of(epsilon), scalars.Of(1.0 - epsilon));
        var far = (x - scalars.Of(0.5)).abs().ge(scalars.Of(epsilon));
        var oneMinusTwoX = (x * two).SubtractedFrom(one);
        // Where x is close to 0.5 the exact form divides by about zero; it is computed on a safe stand-in there and not used.
        var safe = where(far, x, full_like(x, scalars.Of(0.25)));
        var exact = (safe.SubtractedFrom(one).log() - safe.log()).div((safe * two).SubtractedFrom(one)).log();
        var taylor = (oneMinusTwoX.pow(two) / scalars.Of(3L)).Plus(one).log().Plus(scalars.Of(Math.Log(2.0)));
        return where(far, exact, taylor).sum().MoveToOuterDisposeScope();
    }
}
