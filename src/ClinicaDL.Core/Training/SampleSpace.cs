using ClinicaDL.Core.Imaging;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Training;

/// <summary>
/// Where a whole-image sample's voxels lie in the world: its source image's affine (reduced as the sample was, see
/// <see cref="ImageTensors.SampleAffine"/>) and space codes, so that a sample-shaped volume (a saliency map, a
/// reconstruction) written as NIfTI overlays on the source in any viewer. ClinicaDL writes the identity instead.
/// </summary>
public sealed class SampleSpace
{
    private readonly AffineMatrix _affine;
    private readonly NiftiWriteOptions _options;

    private SampleSpace(AffineMatrix affine, NiftiWriteOptions options)
    {
        _affine = affine;
        _options = options;
    }

    /// <param name="sourceImage">The NIfTI image the samples were made from.</param>
    /// <param name="config">The run's configuration (size reduction).</param>
    /// <param name="description">The NIfTI header's descrip (up to 79 ASCII characters).</param>
    public static SampleSpace Of(string sourceImage, TrainingConfig config, string description)
    {
        var source = NiftiReader.ReadHeader(sourceImage);
        return new SampleSpace(ImageTensors.SampleAffine(source.Affine, config), new NiftiWriteOptions
        {
            QformCode = source.Header.QformCode, SformCode = source.Header.SformCode, XyztUnits = source.Header.XyztUnits, Descrip = description,
        });
    }

    /// <summary>Writes a volume [X, Y, Z] (ClinicaDL's order) as float32 NIfTI, x fastest.</summary>
    public void Write(string path, Tensor volume)
    {
        using var scope = NewDisposeScope();
        var values = volume.to(ScalarType.Float32).cpu();
        NiftiWriter.Write(path, values.shape.Select(s => (int)s).ToArray(), values.permute(2, 1, 0).contiguous().data<float>().ToArray(), _affine, _options);
    }
}
