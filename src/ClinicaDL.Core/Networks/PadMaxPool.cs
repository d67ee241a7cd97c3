using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// ClinicaDL's PadMaxPool: before a 2x2(x2) max pooling, every odd spatial size is zero-padded by one voxel at
/// its start, so each pooling gives ceil(size / 2) and no border voxel is dropped.
/// </summary>
internal sealed class PadMaxPool : nn.Module<Tensor, Tensor>
{
    private readonly int _dimensions;

    public PadMaxPool(int dimensions) : base(nameof(PadMaxPool))
    {
        _dimensions = dimensions;
    }

    /// <summary>2 or 3: the spatial axes it pools.</summary>
    public int Dimensions => _dimensions;

    public override Tensor forward(Tensor input)
    {
        var shape = input.shape;
        var pad = new long[2 * _dimensions];
        for (var axis = 0; axis < _dimensions; axis++)
        {
            // F.pad lists the last axis first: (last_start, last_end, previous_start, ...).
            pad[2 * axis] = shape[^(axis + 1)] % 2;
        }
        using var padded = pad.Any(p => p != 0) ? nn.functional.pad(input, pad) : input.alias();
        return _dimensions == 3 ? nn.functional.max_pool3d(padded, [2, 2, 2], [2, 2, 2]) : nn.functional.max_pool2d(padded, [2, 2], [2, 2]);
    }

    /// <summary>
    /// ReLU then this pooling, computed as pooling then ReLU, with the same values and gradients: ReLU is monotonic
    /// so it commutes with max, and once ReLU comes last a zero pad and the pooling's own (-inf) symmetric
    /// padding of the odd axes give the same windows and maxima (the trailing pad is never reached with kernel
    /// and stride 2). Neither the full-size ReLU output nor a padded copy is made: at 169x208x179 each is
    /// 400 MB per batch of 2 in the first block.
    /// </summary>
    public Tensor ForwardWithRelu(Tensor input)
    {
        var shape = input.shape;
        var padding = Enumerable.Range(0, _dimensions).Select(axis => shape[shape.Length - _dimensions + axis] % 2).ToArray();
        using var pooled = _dimensions == 3
            ? nn.functional.max_pool3d(input, [2, 2, 2], [2, 2, 2], padding)
            : nn.functional.max_pool2d(input, [2, 2], [2, 2], padding);
        return nn.functional.relu(pooled);
    }
}
