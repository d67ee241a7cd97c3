using ClinicaDL.Core.Runtime;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Augmentation;

/// <summary>
/// TorchIO's RandomBiasField(coefficients=0.5, order=3): the image times exp of a 3rd-order polynomial of the
/// normalised coordinates with coefficients ~ U(-0.5, 0.5), a smooth intensity inhomogeneity. The field is
/// evaluated on a grid four times coarser per axis and interpolated (a cubic over [-1, 1] is smooth at that
/// scale): twenty full-size polynomial terms cost more than the rest of a training step's augmentation. The
/// polynomial is separable, so it is one contraction of the coefficient table with each axis' powers.
/// </summary>
public sealed class BiasFieldAugmentation : Augmentation<BiasFieldParameters>
{
    public const int Order = 3;

    public override string Name => "BiasField";

    /// <summary>One coefficient per term, the terms in <see cref="Exponents"/>' order.</summary>
    public override BiasFieldParameters Draw(Tensor sample, Generator generator) =>
        new([.. Exponents((int)sample.dim() - 1).Select(powers => new BiasFieldTerm(powers, (float)RandomDraws.Uniform(generator, -0.5, 0.5)))]);

    public override Tensor Apply(Tensor sample, BiasFieldParameters parameters)
    {
        using var scope = NewDisposeScope();
        var spatial = sample.shape[1..];
        var coarse = spatial.Select(n => Math.Max(2, (n + 3) / 4)).ToArray();
        // powers[axis] is [order + 1, n]: row p holds the axis' coordinates to the power p.
        using var exponents = (Order + 1).ToScalar();
        var powers = coarse.Select(n => linspace(-1, 1, n, device: sample.device).unsqueeze(0).pow(TensorArithmetic.Range(exponents, device: sample.device).unsqueeze(1))).ToArray();
        var table = new float[(int)Math.Pow(Order + 1, spatial.Length)];
        foreach (var term in parameters.Terms)
        {
            table[term.Powers.Aggregate(0, (index, power) => index * (Order + 1) + power)] = term.Coefficient;
        }
        var coefficients = tensor(table, device: sample.device).reshape([.. Enumerable.Repeat((long)Order + 1, spatial.Length)]);
        var field = spatial.Length == 3
            ? einsum("ijk,ia,jb,kc->abc", coefficients, powers[0], powers[1], powers[2])
            : einsum("ij,ia,jb->ab", coefficients, powers[0], powers[1]);
        var mode = spatial.Length == 3 ? InterpolationMode.Trilinear : InterpolationMode.Bilinear;
        var full = nn.functional.interpolate(field.exp().unsqueeze(0).unsqueeze(0), spatial, mode: mode, align_corners: true).squeeze(0);
        return (sample * full).MoveToOuterDisposeScope();
    }

    /// <summary>Every tuple of non-negative powers, one per axis, summing to at most <see cref="Order"/>, the last axis' varying fastest.</summary>
    private static List<int[]> Exponents(int axes)
    {
        var result = new List<int[]>();
        void Build(int[] current, int axis, int left)
        {
            if (axis == axes)
            {
                result.Add((int[])current.Clone());
                return;
            }
            for (var power = 0; power <= left; power++)
            {
                current[axis] = power;
                Build(current, axis + 1, left - power);
            }
        }
        Build(new int[axes], 0, Order);
        return result;
    }
}

/// <summary>The polynomial's terms; a term absent has coefficient 0.</summary>
public sealed record BiasFieldParameters(IReadOnlyList<BiasFieldTerm> Terms) : AugmentationParameters
{
    public override string ToString() => $"BiasField({string.Join("; ", Terms)})";
}

/// <summary>
/// One term of the polynomial: the coefficient times each spatial axis' normalised coordinate (-1 to 1 across the
/// sample) to its power, in the sample's axis order; the powers sum to at most <see cref="BiasFieldAugmentation.Order"/>.
/// </summary>
public sealed record BiasFieldTerm(IReadOnlyList<int> Powers, float Coefficient)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Coefficient} (powers {string.Join(",", Powers)})");
}
