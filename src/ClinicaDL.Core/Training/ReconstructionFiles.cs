using ClinicaDL.Core.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Training;

/// <summary>
/// Inputs and their reconstructions as files in a group's result folder, with ClinicaDL's names:
/// tensors/&lt;pid&gt;_&lt;sid&gt;_&lt;mode&gt;-&lt;id&gt;_{input,output}.tensor (ClinicaDL's .pt) and, for whole
/// images, nifti_images/&lt;pid&gt;_&lt;sid&gt;_image_{input,output}.nii.gz (channel 0) with the source image's
/// affine and space codes (ClinicaDL writes the identity), so both open over the source in any viewer.
/// </summary>
public static class ReconstructionFiles
{
    /// <returns>The number of files written.</returns>
    public static int Write(nn.Module<Tensor, Tensor> model, IReadOnlyList<LabeledImage> samples, ImageTensors images, TrainingConfig config, Device device,
        string folder, bool tensors, bool nifti, CancellationToken cancellation)
    {
        var mode = images.Parts?.ModeName ?? "image";
        var written = 0;
        model.eval();
        using var noGrad = no_grad();
        foreach (var sample in samples)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var input = images.Batch([sample]).to(device);
            var output = model.forward(input).cpu();
            var stem = $"{sample.ParticipantId}_{sample.SessionId}";
            if (tensors)
            {
                var id = images.Parts?.PartId(sample.Part) ?? 0;
                Directory.CreateDirectory(Path.Combine(folder, "tensors"));
                foreach (var (kind, tensor) in new[] { ("input", input.cpu()), ("output", output) })
                {
                    TensorFile.Write(Path.Combine(folder, "tensors", $"{stem}_{mode}-{id}_{kind}{TensorFile.Extension}"), tensor[0].shape, tensor[0].to(ScalarType.Float32).contiguous().data<float>().ToArray());
                    written++;
                }
            }
            if (nifti && images.Parts is null)
            {
                var source = NiftiReader.ReadHeader(sample.ImagePath);
                var space = new NiftiWriteOptions { QformCode = source.Header.QformCode, SformCode = source.Header.SformCode, XyztUnits = source.Header.XyztUnits, Descrip = "ClinicaDL for PowerShell reconstruction" };
                var affine = ImageTensors.SampleAffine(source.Affine, config);
                Directory.CreateDirectory(Path.Combine(folder, "nifti_images"));
                foreach (var (kind, tensor) in new[] { ("input", input.cpu()), ("output", output) })
                {
                    // Channel 0 of [1, C, X, Y, Z]; NIfTI runs x fastest, so the C-order values are those of [Z, Y, X].
                    var volume = tensor[0, 0].to(ScalarType.Float32);
                    NiftiWriter.Write(Path.Combine(folder, "nifti_images", $"{stem}_image_{kind}.nii.gz"), volume.shape.Select(s => (int)s).ToArray(),
                        volume.permute(2, 1, 0).contiguous().data<float>().ToArray(), affine, space);
                    written++;
                }
            }
        }
        return written;
    }
}
