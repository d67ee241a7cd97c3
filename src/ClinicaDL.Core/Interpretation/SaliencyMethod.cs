namespace ClinicaDL.Core.Interpretation;

/// <summary>How a saliency map is computed (see <see cref="SaliencyMaps"/>).</summary>
public enum SaliencyMethod
{
    /// <summary>The gradient of the target output with respect to the input (ClinicaDL's <c>gradients</c>).</summary>
    Gradients,

    /// <summary>Grad-CAM on the last convolutional feature map (ClinicaDL's <c>grad-cam</c>, corrected).</summary>
    GradCam,

    /// <summary>Gradients averaged over noisy copies of the input (Smilkov et al. 2017).</summary>
    SmoothGrad,

    /// <summary>The drop of the target output when a cube of the input is set to zero (Zeiler and Fergus 2014).</summary>
    Occlusion,
}
