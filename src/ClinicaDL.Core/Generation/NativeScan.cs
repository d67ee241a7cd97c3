using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Generation;

/// <summary>
/// How a scanner stored one raw session of a phantom: where the head lay (the template anatomy scaled, rotated and
/// moved into scanner millimetres), the voxel grid it was sampled on (its own voxel sizes, axis order and
/// directions, a field of view around the whole head), the receive coil's smooth bias field and the noise.
/// Drawn per session from the data set's seed; <see cref="TemplateToNative"/> is the answer registration must find.
/// </summary>
internal sealed class NativeScan
{
    public const double MaxRotationDegrees = 15;
    public const double MaxTranslationMillimetres = 20;
    public const double MinScale = 0.9, MaxScale = 1.1;

    /// <summary>Native voxel sizes are the phantom voxel size times a factor in this range, drawn per axis.</summary>
    public const double MinVoxelFactor = 0.9, MaxVoxelFactor = 1.25;

    /// <summary>The bound of |ln bias| over the field of view (0.2: a field between 0.82 and 1.22).</summary>
    public const double MinBiasAmplitude = 0.15, MaxBiasAmplitude = 0.25;

    /// <summary>The noise's standard deviation (both channels of the Rician noise) relative to the white matter signal.</summary>
    public const double MinNoiseLevel = 0.02, MaxNoiseLevel = 0.03;

    /// <summary>Air kept around the head's bounding box, as a scanner's field of view leaves.</summary>
    public const double MarginMillimetres = 10;

    /// <summary>Voxel sizes and origins in multiples of 1/64 mm are exact in float32, so the header's sform is the grid itself.</summary>
    private const double Quantum = 1.0 / 64;

    /// <summary>The columns of transforms.tsv after participant_id and session_id.</summary>
    public static readonly string[] Columns =
    [
        "m00", "m01", "m02", "m03", "m10", "m11", "m12", "m13", "m20", "m21", "m22", "m23",
        "rotation_x_degrees", "rotation_y_degrees", "rotation_z_degrees", "translation_x_mm", "translation_y_mm", "translation_z_mm",
        "scale_x", "scale_y", "scale_z", "voxel_size_i_mm", "voxel_size_j_mm", "voxel_size_k_mm", "orientation", "bias_amplitude", "noise_level",
    ];

    private readonly double[] _biasCoefficients;
    private readonly double[] _fieldCentre;
    private readonly double[] _fieldHalfWidth;

    private NativeScan(double[] rotationDegrees, double[] scales, double[] translation, AffineMatrix templateToNative, AffineMatrix voxelToNative,
        int[] shape, double[] voxelSize, string orientation, double[] fieldCentre, double[] fieldHalfWidth, double[] biasCoefficients,
        double biasAmplitude, double noiseLevel)
    {
        RotationDegrees = rotationDegrees;
        Scales = scales;
        TranslationMillimetres = translation;
        TemplateToNative = templateToNative;
        VoxelToNative = voxelToNative;
        Shape = shape;
        VoxelSize = voxelSize;
        Orientation = orientation;
        _fieldCentre = fieldCentre;
        _fieldHalfWidth = fieldHalfWidth;
        _biasCoefficients = biasCoefficients;
        BiasAmplitude = biasAmplitude;
        NoiseLevel = noiseLevel;
    }

    /// <summary>Rotations about the template's x, then y, then z axes (R = Rz Ry Rx), in degrees.</summary>
    public double[] RotationDegrees { get; }

    /// <summary>Scales along the template's axes, applied before the rotation.</summary>
    public double[] Scales { get; }

    /// <summary>Where the brain centre moves, in millimetres.</summary>
    public double[] TranslationMillimetres { get; }

    /// <summary>x_native = T x_template, world millimetres (RAS) to world millimetres: ITK's fixed-to-moving transform when the template is fixed.</summary>
    public AffineMatrix TemplateToNative { get; }

    /// <summary>The native image's voxel-to-world affine (its sform and qform).</summary>
    public AffineMatrix VoxelToNative { get; }

    public int[] Shape { get; }

    /// <summary>Millimetres along the stored axes i, j, k.</summary>
    public double[] VoxelSize { get; }

    /// <summary>The direction each stored axis points to (nibabel's aff2axcodes): "RAS", "LPS", "PIR"...</summary>
    public string Orientation { get; }

    public double BiasAmplitude { get; }

    public double NoiseLevel { get; }

    public static NativeScan Draw(Random random, BrainPhantom phantom, int phantomVoxelSize)
    {
        var rotationDegrees = Draws(random, -MaxRotationDegrees, MaxRotationDegrees);
        var scales = Draws(random, MinScale, MaxScale);
        var translation = Draws(random, -MaxTranslationMillimetres, MaxTranslationMillimetres);
        var linear = Product(Rotation(rotationDegrees), scales);
        var centre = PhantomGrid.Centre;
        var templateToNative = new double[4, 4];
        for (var row = 0; row < 3; row++)
        {
            var moved = 0.0;
            for (var column = 0; column < 3; column++)
            {
                templateToNative[row, column] = linear[row, column];
                moved += linear[row, column] * centre[column];
            }
            // The brain centre c goes to c + t: T x = L (x - c) + c + t.
            templateToNative[row, 3] = centre[row] + translation[row] - moved;
        }
        templateToNative[3, 3] = 1;

        // The stored axes: a random order and direction of the scanner's world axes.
        int[] order = [0, 1, 2];
        random.Shuffle(order);
        var flipped = order.Select(_ => random.NextDouble() < 0.5).ToArray();
        var voxelSize = order.Select(_ => Math.Round(phantomVoxelSize * Uniform(random, MinVoxelFactor, MaxVoxelFactor) / Quantum) * Quantum).ToArray();

        // The field of view: the head's bounding ellipsoid as moved into the scanner, its bounding box, plus a margin.
        var semiAxes = phantom.HeadSemiAxes;
        var voxelToNative = new double[4, 4];
        var shape = new int[3];
        var fieldCentre = new double[3];
        var fieldHalfWidth = new double[3];
        for (var axis = 0; axis < 3; axis++)
        {
            var world = order[axis];
            var halfWidth = Math.Sqrt(Enumerable.Range(0, 3).Sum(j => Math.Pow(linear[world, j] * semiAxes[j], 2))) + MarginMillimetres;
            var low = Math.Floor((centre[world] + translation[world] - halfWidth) / Quantum) * Quantum;
            shape[axis] = (int)Math.Ceiling((centre[world] + translation[world] + halfWidth - low) / voxelSize[axis]) + 1;
            voxelToNative[world, axis] = flipped[axis] ? -voxelSize[axis] : voxelSize[axis];
            var high = low + (shape[axis] - 1) * voxelSize[axis];
            voxelToNative[world, 3] = flipped[axis] ? high : low;
            // The bias polynomial's variables run over [-1, 1] across the field of view.
            fieldCentre[world] = (low + high) / 2;
            fieldHalfWidth[world] = (high - low) / 2;
        }
        voxelToNative[3, 3] = 1;
        var orientation = string.Concat(order.Select((world, axis) => (flipped[axis] ? "LPI" : "RAS")[world]));

        // Coefficients divided by the sum of their magnitudes: with every term within [-1, 1], |ln bias| <= amplitude.
        var biasCoefficients = Draws(random, -1, 1, 9);
        var bound = biasCoefficients.Sum(Math.Abs);
        biasCoefficients = biasCoefficients.Select(c => c / bound).ToArray();
        var biasAmplitude = Uniform(random, MinBiasAmplitude, MaxBiasAmplitude);
        var noiseLevel = Uniform(random, MinNoiseLevel, MaxNoiseLevel);
        return new NativeScan(rotationDegrees, scales, translation, new AffineMatrix(templateToNative), new AffineMatrix(voxelToNative), shape, voxelSize,
            orientation, fieldCentre, fieldHalfWidth, biasCoefficients, biasAmplitude, noiseLevel);
    }

    /// <summary>
    /// The scan's voxel values (i fastest): the phantom's noiseless signal at each voxel centre mapped back to template
    /// space, times the bias field, with Rician noise. Drawing the phantom there, rather than interpolating the
    /// template-space image, keeps the native image free of a second interpolation and of the template image's noise.
    /// </summary>
    public float[] Render(BrainPhantom phantom, Random random)
    {
        // Voxel index to brain-centred template millimetres, and to scanner millimetres (a signed permutation).
        var toTemplate = TemplateToNative.Inverse().Multiply(VoxelToNative);
        var toNative = VoxelToNative;
        var centre = PhantomGrid.Centre;
        var sigma = NoiseLevel * phantom.WhiteMatterSignal;
        var values = new float[Shape[0] * Shape[1] * Shape[2]];
        var index = 0;
        for (var k = 0; k < Shape[2]; k++)
        {
            for (var j = 0; j < Shape[1]; j++)
            {
                for (var i = 0; i < Shape[0]; i++, index++)
                {
                    var x = toTemplate[0, 0] * i + toTemplate[0, 1] * j + toTemplate[0, 2] * k + toTemplate[0, 3] - centre[0];
                    var y = toTemplate[1, 0] * i + toTemplate[1, 1] * j + toTemplate[1, 2] * k + toTemplate[1, 3] - centre[1];
                    var z = toTemplate[2, 0] * i + toTemplate[2, 1] * j + toTemplate[2, 2] * k + toTemplate[2, 3] - centre[2];
                    var bias = Bias(
                        toNative[0, 0] * i + toNative[0, 1] * j + toNative[0, 2] * k + toNative[0, 3],
                        toNative[1, 0] * i + toNative[1, 1] * j + toNative[1, 2] * k + toNative[1, 3],
                        toNative[2, 0] * i + toNative[2, 1] * j + toNative[2, 2] * k + toNative[2, 3]);
                    var real = phantom.Signal(x, y, z) * bias + sigma * PhantomAnatomy.Gaussian(random);
                    var imaginary = sigma * PhantomAnatomy.Gaussian(random);
                    values[index] = (float)Math.Sqrt(real * real + imaginary * imaginary);
                }
            }
        }
        return values;
    }

    /// <summary>This scan's row of transforms.tsv.</summary>
    public string?[] Row(string participantId, string sessionId) =>
    [
        participantId, sessionId,
        .. Enumerable.Range(0, 12).Select(n => TsvTable.FormatNumber(TemplateToNative[n / 4, n % 4])),
        .. RotationDegrees.Select(TsvTable.FormatNumber), .. TranslationMillimetres.Select(TsvTable.FormatNumber), .. Scales.Select(TsvTable.FormatNumber),
        .. VoxelSize.Select(TsvTable.FormatNumber), Orientation, TsvTable.FormatNumber(BiasAmplitude), TsvTable.FormatNumber(NoiseLevel),
    ];

    /// <summary>exp of a second-order polynomial in the scanner's coordinates: smooth over the head, as a receive coil's sensitivity.</summary>
    private double Bias(double x, double y, double z)
    {
        var (u, v, w) = ((x - _fieldCentre[0]) / _fieldHalfWidth[0], (y - _fieldCentre[1]) / _fieldHalfWidth[1], (z - _fieldCentre[2]) / _fieldHalfWidth[2]);
        ReadOnlySpan<double> terms = [u, v, w, u * u, v * v, w * w, u * v, u * w, v * w];
        var polynomial = 0.0;
        for (var n = 0; n < terms.Length; n++)
        {
            polynomial += _biasCoefficients[n] * terms[n];
        }
        return Math.Exp(BiasAmplitude * polynomial);
    }

    /// <summary>R = Rz Ry Rx: x first, about the template's axes.</summary>
    private static double[,] Rotation(double[] degrees)
    {
        var (a, b, g) = (degrees[0] * Math.PI / 180, degrees[1] * Math.PI / 180, degrees[2] * Math.PI / 180);
        var x = new double[,] { { 1, 0, 0 }, { 0, Math.Cos(a), -Math.Sin(a) }, { 0, Math.Sin(a), Math.Cos(a) } };
        var y = new double[,] { { Math.Cos(b), 0, Math.Sin(b) }, { 0, 1, 0 }, { -Math.Sin(b), 0, Math.Cos(b) } };
        var z = new double[,] { { Math.Cos(g), -Math.Sin(g), 0 }, { Math.Sin(g), Math.Cos(g), 0 }, { 0, 0, 1 } };
        return Product(z, Product(y, x));
    }

    private static double[,] Product(double[,] left, double[,] right)
    {
        var result = new double[3, 3];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                for (var k = 0; k < 3; k++)
                {
                    result[i, j] += left[i, k] * right[k, j];
                }
            }
        }
        return result;
    }

    /// <summary>The matrix times diag(scales): scaling along the template's axes comes first.</summary>
    private static double[,] Product(double[,] matrix, double[] scales)
    {
        var result = new double[3, 3];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                result[i, j] = matrix[i, j] * scales[j];
            }
        }
        return result;
    }

    private static double[] Draws(Random random, double low, double high, int count = 3) =>
        Enumerable.Range(0, count).Select(_ => Uniform(random, low, high)).ToArray();

    private static double Uniform(Random random, double low, double high) => low + (high - low) * random.NextDouble();
}
