using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Augmentation;

/// <summary>
/// ClinicaDL's data augmentations, on training samples only, in the order given, each drawing its parameters
/// from the run's seeded generator with ClinicaDL's ranges (reference section 4). ClinicaDL takes the last seven
/// from TorchIO; these are written on tensors (FFT for the k-space ones) and work on 3D images and patches and,
/// where it makes sense, on 2D slices.
/// </summary>
public static class Augmentations
{
    /// <summary>The names ClinicaDL accepts in data_augmentation.</summary>
    public static readonly string[] Names = ["Noise", "Erasing", "CropPad", "Smoothing", "Motion", "Ghosting", "Spike", "BiasField", "RandomBlur", "RandomSwap"];

    /// <summary>Refuses unknown names, naming the known ones (ClinicaDL's "None" means no augmentation).</summary>
    public static IReadOnlyList<string> Validate(IEnumerable<string> names)
    {
        var list = names.Where(n => n != "None").ToList();
        var unknown = list.Where(n => !Names.Contains(n)).ToList();
        return unknown.Count > 0
            ? throw new ArgumentException($"Unknown data augmentation(s) {string.Join(", ", unknown)}; expected any of {string.Join(", ", Names)}.")
            : list;
    }

    /// <summary>Each sample of a batch [batch, channels, spatial...] through the augmentations, in order.</summary>
    public static Tensor Apply(Tensor batch, IReadOnlyList<string> names, Generator generator)
    {
        if (names.Count == 0)
        {
            return batch.alias();
        }
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var samples = new List<Tensor>();
        for (var b = 0; b < batch.shape[0]; b++)
        {
            var sample = batch[b];
            foreach (var name in names)
            {
                sample = ApplyOne(name, sample, generator);
            }
            samples.Add(sample);
        }
        return stack(samples).MoveToOuterDisposeScope();
    }

    /// <summary>One augmentation on one sample [channels, spatial...].</summary>
    public static Tensor ApplyOne(string name, Tensor sample, Generator generator) => name switch
    {
        "Noise" => Noise(sample, generator),
        "Erasing" => Erasing(sample, generator),
        "CropPad" => CropPad(sample, generator),
        "Smoothing" => GaussianBlur.Apply(sample, Repeat(Uniform(generator, 0, 1), sample)),
        "Motion" => Motion(sample, generator),
        "Ghosting" => Ghosting(sample, generator),
        "Spike" => Spike(sample, generator),
        "BiasField" => BiasField(sample, generator),
        "RandomBlur" => GaussianBlur.Apply(sample, Enumerable.Range(0, (int)sample.dim() - 1).Select(_ => Uniform(generator, 0, 2)).ToArray()),
        "RandomSwap" => RandomSwap(sample, generator),
        _ => throw new ArgumentException($"Unknown data augmentation '{name}'; expected any of {string.Join(", ", Names)}."),
    };

    /// <summary>Adds N(0, sigma) with sigma ~ U(0, 0.1) (ClinicaDL's RandomNoising).</summary>
    private static Tensor Noise(Tensor sample, Generator generator)
    {
        var sigma = Uniform(generator, 0, 0.1);
        using var noise = randn(sample.shape, generator: generator, device: sample.device);
        return sample + noise * sigma;
    }

    /// <summary>
    /// torchvision's RandomErasing with its defaults, as ClinicaDL calls it: with probability 0.5, a rectangle of
    /// 2-33% of the last two axes' area, aspect ratio log-uniform in [0.3, 3.3], set to 0 through all leading axes.
    /// </summary>
    private static Tensor Erasing(Tensor sample, Generator generator)
    {
        if (Uniform(generator, 0, 1) >= 0.5)
        {
            return sample.alias();
        }
        var (height, width) = (sample.shape[^2], sample.shape[^1]);
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var area = height * width * Uniform(generator, 0.02, 0.33);
            var ratio = Math.Exp(Uniform(generator, Math.Log(0.3), Math.Log(3.3)));
            var h = (long)Math.Round(Math.Sqrt(area * ratio));
            var w = (long)Math.Round(Math.Sqrt(area / ratio));
            if (h < height && w < width && h > 0 && w > 0)
            {
                var top = RandomInteger(generator, 0, height - h);
                var left = RandomInteger(generator, 0, width - w);
                var erased = sample.clone();
                erased[TensorIndex.Ellipsis, TensorIndex.Slice(top, top + h), TensorIndex.Slice(left, left + w)] = 0;
                return erased;
            }
        }
        return sample.alias();
    }

    /// <summary>ClinicaDL's RandomCropPad: shifts the content by up to 10 voxels along each spatial axis, zero-filled.</summary>
    private static Tensor CropPad(Tensor sample, Generator generator)
    {
        var spatial = (int)sample.dim() - 1;
        var pad = new long[2 * spatial];
        for (var axis = 0; axis < spatial; axis++)
        {
            var shift = RandomInteger(generator, -10, 10);
            // F.pad lists the last axis first; padding one side by s and cropping the other by s shifts by s.
            pad[2 * (spatial - 1 - axis)] = shift;
            pad[2 * (spatial - 1 - axis) + 1] = -shift;
        }
        return nn.functional.pad(sample, pad);
    }

    /// <summary>
    /// TorchIO's RandomMotion(degrees=(2, 4), translation=(2, 4), num_transforms=2): the image moved by two
    /// random rigid transforms during the acquisition; the k-space is filled from the still image then from each
    /// moved one, split at random times along the first spatial axis.
    /// </summary>
    private static Tensor Motion(Tensor sample, Generator generator)
    {
        if (sample.dim() != 4)
        {
            return sample.alias();
        }
        using var scope = NewDisposeScope();
        var images = new List<Tensor> { sample };
        for (var t = 0; t < 2; t++)
        {
            images.Add(RigidTransform(sample, generator, degrees: (2, 4), millimetres: (2, 4)));
        }
        var times = new[] { Uniform(generator, 0, 1), Uniform(generator, 0, 1) }.Order().ToArray();
        var lines = sample.shape[1];
        var spectrum = KSpace.Forward(sample);
        for (var i = 1; i < images.Count; i++)
        {
            var start = (long)(times[i - 1] * lines);
            var end = i == images.Count - 1 ? lines : (long)(times[i] * lines);
            if (end > start)
            {
                var moved = KSpace.Forward(images[i]);
                spectrum[TensorIndex.Colon, TensorIndex.Slice(start, end)] = moved[TensorIndex.Colon, TensorIndex.Slice(start, end)];
            }
        }
        return KSpace.Inverse(spectrum).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// TorchIO's RandomGhosting(num_ghosts=(4, 10), intensity=(0.5, 1), restore=0.02): along a random spatial axis,
    /// every n-th k-space plane is attenuated, outside the central 2% kept intact, which replicates the image n times.
    /// </summary>
    private static Tensor Ghosting(Tensor sample, Generator generator)
    {
        using var scope = NewDisposeScope();
        var ghosts = RandomInteger(generator, 4, 10);
        var intensity = Uniform(generator, 0.5, 1);
        var axis = (int)RandomInteger(generator, 1, sample.dim() - 1);
        var spectrum = KSpace.Forward(sample);
        var size = sample.shape[axis];
        var centre = size / 2;
        var keep = (long)Math.Ceiling(0.02 * size / 2);
        var factors = ones(size, device: sample.device);
        for (var line = 0L; line < size; line += ghosts)
        {
            if (Math.Abs(line - centre) > keep)
            {
                factors[line] = 1 - intensity;
            }
        }
        var shape = Enumerable.Repeat(1L, (int)sample.dim()).ToArray();
        shape[axis] = size;
        return KSpace.Inverse(spectrum * factors.reshape(shape)).MoveToOuterDisposeScope();
    }

    /// <summary>TorchIO's RandomSpike(num_spikes=1, intensity=(1, 3)): one k-space point set to 1-3 times the spectrum's peak, striping the image.</summary>
    private static Tensor Spike(Tensor sample, Generator generator)
    {
        using var scope = NewDisposeScope();
        var spectrum = KSpace.Forward(sample);
        var intensity = Uniform(generator, 1, 3);
        var peak = spectrum.abs().max().item<float>();
        var index = new List<TensorIndex> { TensorIndex.Colon };
        for (var axis = 1; axis < sample.dim(); axis++)
        {
            // Away from the centre by 5-45% of the axis, as TorchIO draws spike positions.
            var size = sample.shape[axis];
            var offset = (long)(Uniform(generator, 0.05, 0.45) * size) * (Uniform(generator, 0, 1) < 0.5 ? -1 : 1);
            index.Add(TensorIndex.Single(Math.Clamp(size / 2 + offset, 0, size - 1)));
        }
        spectrum[index.ToArray()] = peak * intensity;
        return KSpace.Inverse(spectrum).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// TorchIO's RandomBiasField(coefficients=0.5, order=3): the image times exp of a 3rd-order polynomial of the
    /// normalised coordinates with coefficients ~ U(-0.5, 0.5), a smooth intensity inhomogeneity. The field is
    /// evaluated on a grid four times coarser per axis and interpolated (a cubic over [-1, 1] is smooth at that
    /// scale): twenty full-size polynomial terms cost more than the rest of a training step's augmentation. The
    /// polynomial is separable, so it is one contraction of the coefficient table with each axis' powers.
    /// </summary>
    private static Tensor BiasField(Tensor sample, Generator generator)
    {
        using var scope = NewDisposeScope();
        var spatial = sample.shape[1..];
        var coarse = spatial.Select(n => Math.Max(2, (n + 3) / 4)).ToArray();
        const int order = 3;
        // powers[axis] is [order + 1, n]: row p holds the axis' coordinates to the power p.
        var powers = coarse.Select(n => linspace(-1, 1, n, device: sample.device).unsqueeze(0).pow(arange(order + 1, device: sample.device).unsqueeze(1))).ToArray();
        var table = new float[(int)Math.Pow(order + 1, spatial.Length)];
        foreach (var exponents in Exponents(spatial.Length, order))
        {
            table[exponents.Aggregate(0, (index, power) => index * (order + 1) + power)] = (float)Uniform(generator, -0.5, 0.5);
        }
        var coefficients = tensor(table, device: sample.device).reshape([.. Enumerable.Repeat((long)order + 1, spatial.Length)]);
        var field = spatial.Length == 3
            ? einsum("ijk,ia,jb,kc->abc", coefficients, powers[0], powers[1], powers[2])
            : einsum("ij,ia,jb->ab", coefficients, powers[0], powers[1]);
        var mode = spatial.Length == 3 ? InterpolationMode.Trilinear : InterpolationMode.Bilinear;
        var full = nn.functional.interpolate(field.exp().unsqueeze(0).unsqueeze(0), spatial, mode: mode, align_corners: true).squeeze(0);
        return (sample * full).MoveToOuterDisposeScope();
    }

    /// <summary>TorchIO's RandomSwap(patch_size=15, num_iterations=100): 100 times, two random 15-voxel cubes exchange their content.</summary>
    private static Tensor RandomSwap(Tensor sample, Generator generator)
    {
        const int size = 15;
        var spatial = sample.shape[1..];
        if (spatial.Any(n => n < size))
        {
            return sample.alias();
        }
        var swapped = sample.clone();
        for (var iteration = 0; iteration < 100; iteration++)
        {
            var first = Window(spatial, size, generator);
            var second = Window(spatial, size, generator);
            using var a = swapped[first].clone();
            swapped[first] = swapped[second];
            swapped[second] = a;
        }
        return swapped;
    }

    private static TensorIndex[] Window(long[] spatial, int size, Generator generator) =>
        [TensorIndex.Colon, .. spatial.Select(n => RandomInteger(generator, 0, n - size)).Select(start => TensorIndex.Slice(start, start + size))];

    /// <summary>A rotation of U(degrees) about each axis and a translation of U(millimetres) voxels along each, random signs.</summary>
    private static Tensor RigidTransform(Tensor sample, Generator generator, (double Low, double High) degrees, (double Low, double High) millimetres)
    {
        using var scope = NewDisposeScope();
        double Signed((double Low, double High) range) => Uniform(generator, range.Low, range.High) * (Uniform(generator, 0, 1) < 0.5 ? -1 : 1);
        var (ax, ay, az) = (Signed(degrees) * Math.PI / 180, Signed(degrees) * Math.PI / 180, Signed(degrees) * Math.PI / 180);
        var rx = new[,] { { 1, 0, 0 }, { 0, Math.Cos(ax), -Math.Sin(ax) }, { 0, Math.Sin(ax), Math.Cos(ax) } };
        var ry = new[,] { { Math.Cos(ay), 0, Math.Sin(ay) }, { 0, 1, 0 }, { -Math.Sin(ay), 0, Math.Cos(ay) } };
        var rz = new[,] { { Math.Cos(az), -Math.Sin(az), 0 }, { Math.Sin(az), Math.Cos(az), 0 }, { 0, 0, 1 } };
        var rotation = Multiply(rz, Multiply(ry, rx));
        // affine_grid works in normalised coordinates [-1, 1]: a shift of t voxels is 2t / size.
        var sizes = sample.shape[1..];
        var theta = new float[12];
        for (var row = 0; row < 3; row++)
        {
            for (var column = 0; column < 3; column++)
            {
                theta[row * 4 + column] = (float)rotation[row, column];
            }
            theta[row * 4 + 3] = (float)(2 * Signed(millimetres) / sizes[2 - row]);
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

    /// <summary>Every tuple of non-negative powers, one per axis, summing to at most <paramref name="order"/>.</summary>
    private static List<int[]> Exponents(int axes, int order)
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
        Build(new int[axes], 0, order);
        return result;
    }

    private static double[] Repeat(double value, Tensor sample) => Enumerable.Repeat(value, (int)sample.dim() - 1).ToArray();

    private static double Uniform(Generator generator, double low, double high)
    {
        using var draw = rand(1, generator: generator, dtype: ScalarType.Float64);
        return low + (high - low) * draw.item<double>();
    }

    /// <summary>A uniform integer in [low, high], both included.</summary>
    private static long RandomInteger(Generator generator, long low, long high)
    {
        using var draw = randint(low, high + 1, [1], generator: generator);
        return draw.item<long>();
    }
}
