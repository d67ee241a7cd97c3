using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Augmentation;

/// <summary>
/// TorchIO's RandomMotion(degrees=(2, 4), translation=(2, 4), num_transforms=2): the image moved by two random
/// rigid transforms during the acquisition; the k-space is filled from the still image then from each moved one,
/// split at random times along the first spatial axis. 3D samples only; a 2D slice is left as it is.
/// </summary>
public sealed class MotionAugmentation : Augmentation<MotionParameters>
{
    private const int Movements = 2;
    private static readonly (double Low, double High) Degrees = (2, 4);
    private static readonly (double Low, double High) Voxels = (2, 4);

    public override string Name => "Motion";

    /// <summary>Each movement's three angles then three shifts, each a magnitude then a sign; then the two times.</summary>
    public override MotionParameters Draw(Tensor sample, Generator generator)
    {
        if (sample.dim() != 4)
        {
            return MotionParameters.None;
        }
        double Signed((double Low, double High) range) =>
            RandomDraws.Uniform(generator, range.Low, range.High) * (RandomDraws.Uniform(generator, 0, 1) < 0.5 ? -1 : 1);
        var movements = new List<RigidMovement>();
        for (var m = 0; m < Movements; m++)
        {
            var (rotationX, rotationY, rotationZ) = (Signed(Degrees), Signed(Degrees), Signed(Degrees));
            var (shiftX, shiftY, shiftZ) = (Signed(Voxels), Signed(Voxels), Signed(Voxels));
            movements.Add(new(rotationX, rotationY, rotationZ, shiftX, shiftY, shiftZ));
        }
        double[] times = [RandomDraws.Uniform(generator, 0, 1), RandomDraws.Uniform(generator, 0, 1)];
        return new(movements, [.. times.Order()]);
    }

    public override Tensor Apply(Tensor sample, MotionParameters parameters)
    {
        if (parameters.Movements.Count == 0)
        {
            return sample.alias();
        }
        using var scope = NewDisposeScope();
        var lines = sample.shape[1];
        var spectrum = KSpace.Forward(sample);
        var (movements, times) = (parameters.Movements, parameters.Times);
        for (var i = 0; i < movements.Count; i++)
        {
            var start = (long)(times[i] * lines);
            var end = i == movements.Count - 1 ? lines : (long)(times[i + 1] * lines);
            if (end > start)
            {
                var moved = KSpace.Forward(Move(sample, movements[i]));
                spectrum[TensorIndex.Colon, TensorIndex.Slice(start, end)] = moved[TensorIndex.Colon, TensorIndex.Slice(start, end)];
            }
        }
        return KSpace.Inverse(spectrum).MoveToOuterDisposeScope();
    }

    /// <summary>The sample resampled through one rigid movement (bilinear, zeros outside).</summary>
    private static Tensor Move(Tensor sample, RigidMovement movement)
    {
        using var scope = NewDisposeScope();
        var (ax, ay, az) = (movement.RotationX * Math.PI / 180, movement.RotationY * Math.PI / 180, movement.RotationZ * Math.PI / 180);
        var rx = new[,] { { 1, 0, 0 }, { 0, Math.Cos(ax), -Math.Sin(ax) }, { 0, Math.Sin(ax), Math.Cos(ax) } };
        var ry = new[,] { { Math.Cos(ay), 0, Math.Sin(ay) }, { 0, 1, 0 }, { -Math.Sin(ay), 0, Math.Cos(ay) } };
        var rz = new[,] { { Math.Cos(az), -Math.Sin(az), 0 }, { Math.Sin(az), Math.Cos(az), 0 }, { 0, 0, 1 } };
        var rotation = Multiply(rz, Multiply(ry, rx));
        double[] shifts = [movement.ShiftX, movement.ShiftY, movement.ShiftZ];
        // affine_grid works in normalised coordinates [-1, 1]: a shift of t voxels is 2t / size; its x is the last axis.
        var sizes = sample.shape[1..];
        var theta = new float[12];
        for (var row = 0; row < 3; row++)
        {
            for (var column = 0; column < 3; column++)
            {
                theta[row * 4 + column] = (float)rotation[row, column];
            }
            theta[row * 4 + 3] = (float)(2 * shifts[row] / sizes[2 - row]);
        }
        using var matrix = tensor(theta, [1, 3, 4], device: sample.device);
        var grid = nn.functional.affine_grid(matrix, [1, .. sample.shape], align_corners: false);
        return nn.functional.grid_sample(sample.unsqueeze(0), grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false).squeeze(0).MoveToOuterDisposeScope();
    }

    private static double[,] Multiply(double[,] a, double[,] b)
    {
        var result = new double[3, 3];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                for (var k = 0; k < 3; k++)
                {
                    result[i, j] += a[i, k] * b[k, j];
                }
            }
        }
        return result;
    }
}

/// <summary>
/// The movements and, sorted, the times (fractions of the first spatial axis' k-space lines) from which each one
/// fills the k-space; before the first time the still image does. No movements: the sample is left as it is.
/// </summary>
public sealed record MotionParameters(IReadOnlyList<RigidMovement> Movements, IReadOnlyList<double> Times) : AugmentationParameters
{
    /// <summary>For a 2D slice, which does not move.</summary>
    public static readonly MotionParameters None = new([], []);

    public override string ToString() => Movements.Count == 0
        ? "Motion(none)"
        : $"Motion(times=[{Joined(Times)}], movements=[{string.Join(", ", Movements)}])";
}

/// <summary>
/// A rotation in degrees about, and a shift in voxels along, each of affine_grid's x, y and z: the sample's last,
/// middle and first spatial axes. TorchIO shifts in millimetres; voxels are millimetres on ClinicaDL's 1 mm images.
/// </summary>
public sealed record RigidMovement(double RotationX, double RotationY, double RotationZ, double ShiftX, double ShiftY, double ShiftZ)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"(rotation {RotationX}, {RotationY}, {RotationZ} degrees; shift {ShiftX}, {ShiftY}, {ShiftZ} voxels)");
}
