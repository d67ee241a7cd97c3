using ClinicaDL.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Networks;

/// <summary>The reparameterisation trick: a code drawn as mean + eps x exp(logvar / 2), eps standard normal (torch's global generator).</summary>
internal static class VariationalSampling
{
    /// <summary>The exponent's factor, kept for the process (a Scalar made inline is not kept alive: see ScalarScope).</summary>
    private static readonly Scalar Half = 0.5.ToScalar();

    /// <summary>BaseVAE.reparameterize: one eps per code value of every sample.</summary>
    public static Tensor Sample(Tensor mean, Tensor logVariance)
    {
        using var scope = NewDisposeScope();
        var deviation = (logVariance * Half).exp();
        return (randn_like(deviation) * deviation).Plus(mean).MoveToOuterDisposeScope();
    }

    /// <summary>The CVAE_3D networks' reparametrize: one eps vector of the code's length, shared by the whole batch.</summary>
    public static Tensor SampleSharedAcrossBatch(Tensor mean, Tensor logVariance)
    {
        using var scope = NewDisposeScope();
        var deviation = (logVariance * Half).exp();
        return (randn(deviation.shape[1], dtype: deviation.dtype, device: deviation.device) * deviation).Plus(mean).MoveToOuterDisposeScope();
    }
}
