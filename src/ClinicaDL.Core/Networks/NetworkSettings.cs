namespace ClinicaDL.Core.Networks;

/// <summary>
/// The architecture settings of ClinicaDL's configuration that some networks take (each network reads only the
/// ones its ClinicaDL constructor takes); the defaults are ClinicaDL's.
/// </summary>
public sealed record NetworkSettings
{
    public double Dropout { get; init; }

    /// <summary>latent_space_size: the autoencoders' and VAEs' code length.</summary>
    public int LatentSpaceSize { get; init; } = 128;

    /// <summary>feature_size: the dense VAEs' layer between the convolutions and the code (0: none, in Vanilla3DdenseVAE).</summary>
    public int FeatureSize { get; init; } = 1024;

    /// <summary>n_conv: Vanilla3DdenseVAE's convolution layers.</summary>
    public int ConvolutionCount { get; init; } = 4;

    /// <summary>io_layer_channels: Vanilla3DdenseVAE's first and last convolution channels.</summary>
    public int InputOutputChannels { get; init; } = 8;

    /// <summary>recons_weight: the reconstruction term's weight in a VAE's loss.</summary>
    public double ReconstructionWeight { get; init; } = 1;

    /// <summary>kl_weight: the Kullback-Leibler term's weight in a VAE's loss.</summary>
    public double KlWeight { get; init; } = 1;

    /// <summary>convolutions_dict: RandomArchitecture's convolution blocks (null: none given).</summary>
    public IReadOnlyList<ConvolutionBlock>? ConvolutionBlocks { get; init; }

    /// <summary>n_fcblocks: RandomArchitecture's fully connected blocks (null: none given).</summary>
    public int? FullyConnectedBlocks { get; init; }

    /// <summary>network_normalization: RandomArchitecture's BatchNorm (ClinicaDL's default), InstanceNorm, or null for none.</summary>
    public string? NetworkNormalization { get; init; } = "BatchNorm";
}
