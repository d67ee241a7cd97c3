using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Maps;

/// <summary>
/// Inputs and their reconstructions as files in a group's result folder, with ClinicaDL's names:
/// tensors/&lt;pid&gt;_&lt;sid&gt;_&lt;mode&gt;-&lt;id&gt;_{input,output}.tensor (ClinicaDL's .pt) and, for whole
/// images, nifti_images/&lt;pid&gt;_&lt;sid&gt;_image_{input,output}.nii.gz (channel 0) in the source image's space
/// (<see cref="SampleSpace"/>). Written from the evaluation's own pass (<see cref="Evaluation.Run"/>'s onOutput),
/// so no sample is run through the network a second time.
/// </summary>
public static class ReconstructionFiles
{
    /// <summary>A writer for up to <paramref name="limit"/> samples (all when null), to pass to the evaluation.</summary>
    public static Action<LabeledImage, Tensor, Tensor> Writer(string folder, ImageTensors images, TrainingConfig config, bool tensors, bool nifti, int? limit = null)
    {
        var mode = images.Parts?.ModeName ?? "image";
        var written = 0;
        return (sample, input, output) =>
        {
            if (written >= (limit ?? int.MaxValue))
            {
                return;
            }
            written++;
            var stem = $"{sample.ParticipantId}_{sample.SessionId}";
            if (tensors)
            {
                Directory.CreateDirectory(Path.Combine(folder, "tensors"));
                var id = images.Parts?.PartId(sample.Part) ?? 0;
                foreach (var (kind, tensor) in new[] { ("input", input), ("output", output) })
                {
                    using var values = tensor.to(ScalarType.Float32).cpu().contiguous();
                    TensorFile.Write(Path.Combine(folder, "tensors", $"{stem}_{mode}-{id}_{kind}{TensorFile.Extension}"), values.shape, values.data<float>().ToArray());
                }
            }
            if (nifti && images.Parts is null)
            {
                Directory.CreateDirectory(Path.Combine(folder, "nifti_images"));
                var space = SampleSpace.Of(sample.ImagePath, config, "ClinicaDL for PowerShell reconstruction");
                foreach (var (kind, tensor) in new[] { ("input", input), ("output", output) })
                {
                    using var channel = tensor[0];
                    space.Write(Path.Combine(folder, "nifti_images", $"{stem}_image_{kind}.nii.gz"), channel);
                }
            }
        };
    }
}
