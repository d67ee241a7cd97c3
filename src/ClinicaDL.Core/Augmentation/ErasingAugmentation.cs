using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Augmentation;

/// <summary>
/// torchvision's RandomErasing with its defaults, as ClinicaDL calls it: with probability 0.5, a rectangle of
/// 2-33% of the last two axes' area, aspect ratio log-uniform in [0.3, 3.3], set to 0 through all leading axes.
/// </summary>
public sealed class ErasingAugmentation : Augmentation<ErasingParameters>
{
    private const int Attempts = 10;

    public override string Name => "Erasing";

    /// <summary>The coin, then up to ten rectangles until one fits, then its position, as torchvision draws them.</summary>
    public override ErasingParameters Draw(Tensor sample, Generator generator)
    {
        if (RandomDraws.Uniform(generator, 0, 1) >= 0.5)
        {
            return ErasingParameters.None;
        }
        var (height, width) = (sample.shape[^2], sample.shape[^1]);
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var area = height * width * RandomDraws.Uniform(generator, 0.02, 0.33);
            var ratio = Math.Exp(RandomDraws.Uniform(generator, Math.Log(0.3), Math.Log(3.3)));
            var h = (long)Math.Round(Math.Sqrt(area * ratio));
            var w = (long)Math.Round(Math.Sqrt(area / ratio));
            if (h < height && w < width && h > 0 && w > 0)
            {
                var top = RandomDraws.UniformInteger(generator, 0, height - h);
                var left = RandomDraws.UniformInteger(generator, 0, width - w);
                return new(top, left, h, w);
            }
        }
        return ErasingParameters.None;
    }

    public override Tensor Apply(Tensor sample, ErasingParameters parameters)
    {
        if (parameters.ErasesNothing)
        {
            return sample.alias();
        }
        var (top, left) = (parameters.Top, parameters.Left);
        var erased = sample.clone();
        using var zero = 0L.ToScalar();
        erased[TensorIndex.Ellipsis, TensorIndex.Slice(top, top + parameters.Height), TensorIndex.Slice(left, left + parameters.Width)].fill_(zero);
        return erased;
    }
}

/// <summary>The erased rectangle on the last two axes (rows from <see cref="Top"/>, columns from <see cref="Left"/>); empty when the coin said no.</summary>
public sealed record ErasingParameters(long Top, long Left, long Height, long Width) : AugmentationParameters
{
    /// <summary>Nothing erased: the coin said no, or no rectangle fitted in ten attempts.</summary>
    public static readonly ErasingParameters None = new(0, 0, 0, 0);

    public bool ErasesNothing => Height <= 0 || Width <= 0;

    public override string ToString() => ErasesNothing
        ? "Erasing(none)"
        : string.Create(CultureInfo.InvariantCulture, $"Erasing(rows {Top}-{Top + Height - 1}, columns {Left}-{Left + Width - 1} of the last two axes)");
}
