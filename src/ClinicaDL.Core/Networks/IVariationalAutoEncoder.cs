using static TorchSharp.torch;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// A variational autoencoder: its loss needs the latent distribution as well as the reconstruction, and each
/// ClinicaDL VAE weighs the loss terms its own way (its compute_outputs_and_loss), so the network says how.
/// forward() gives the reconstruction only: decoded from a sample of the code in training mode, from the mean in
/// evaluation mode (ClinicaDL's predict for the CVAE_3D networks; its BaseVAE samples even then, which would make
/// an evaluation depend on the generator's state).
/// </summary>
public interface IVariationalAutoEncoder
{
    /// <summary>The reconstruction, and the code's mean and log-variance [batch, code...], sampled as forward() would.</summary>
    (Tensor Reconstruction, Tensor Mean, Tensor LogVariance) ForwardWithCode(Tensor input);

    /// <summary>
    /// The training loss from its terms as ClinicaDL's network adds them: the reconstruction term and the KL term
    /// that the loss function gave (in its order), and the continuous Bernoulli log-constant when there is one.
    /// </summary>
    Tensor Total(Tensor reconstruction, Tensor kl, Tensor? logConstant);

    /// <summary>
    /// True when the network computes its own loss whatever loss the configuration names (ClinicaDL's CVAE_3D: the
    /// squared error summed per image plus 5 times the KL term).
    /// </summary>
    bool OwnsLoss { get; }
}
