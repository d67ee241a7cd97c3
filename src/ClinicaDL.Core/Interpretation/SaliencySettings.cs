namespace ClinicaDL.Core.Interpretation;

/// <summary>The parameters of a saliency method; all are written to the interpretation's JSON.</summary>
public sealed record SaliencySettings
{
    public required SaliencyMethod Method { get; init; }

    /// <summary>The output node whose saliency is mapped (a class index; 0 for regression).</summary>
    public int TargetNode { get; init; }

    /// <summary>SmoothGrad: noisy copies per image (Smilkov et al. use 50; MONAI's default is 25).</summary>
    public int SmoothGradSamples { get; init; } = 25;

    /// <summary>SmoothGrad: noise standard deviation as a fraction of each image's intensity range (the paper's 10-20%).</summary>
    public double SmoothGradNoise { get; init; } = 0.15;

    /// <summary>Occlusion: the cube's edge in voxels; it also moves by this much, so the cubes tile the image.</summary>
    public int OcclusionSize { get; init; } = 8;

    /// <summary>Grad-CAM: the number of feature layers before the map (ClinicaDL's level_grad_cam); all of them when null.</summary>
    public int? GradCamLevel { get; init; }

    /// <summary>Seeds SmoothGrad's noise.</summary>
    public int Seed { get; init; }
}
