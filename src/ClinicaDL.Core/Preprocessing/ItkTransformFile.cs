using System.Buffers.Binary;
using System.Text;
using ClinicaDL.Core.Imaging;

namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// An affine transform in the file ANTs writes (<c>*_0GenericAffine.mat</c>): ITK's
/// <c>AffineTransform_double_3_3</c> in a MATLAB version 4 file, so <c>antsApplyTransforms</c> can reuse it.
/// ITK works in LPS millimetres and stores the 3x3 matrix (row by row), a translation and, as fixed parameters,
/// the centre: y = M (x - c) + c + t, mapping fixed (template) points to moving (participant) points.
/// </summary>
public static class ItkTransformFile
{
    private const string ParametersName = "AffineTransform_double_3_3";
    private const string CentreName = "fixed";

    /// <summary>LPS = diag(-1, -1, 1) RAS: the same matrix both ways.</summary>
    private static readonly AffineMatrix RasToLps = new(new double[,] { { -1, 0, 0, 0 }, { 0, -1, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } });

    /// <param name="path">The .mat file to write (atomically).</param>
    /// <param name="templateToImage">The RAS world transform from template to participant millimetres.</param>
    /// <param name="centre">The centre of rotation in RAS millimetres.</param>
    public static void Write(string path, AffineMatrix templateToImage, double[] centre)
    {
        var lps = RasToLps.Multiply(templateToImage).Multiply(RasToLps);
        var lpsCentre = new[] { -centre[0], -centre[1], centre[2] };
        var parameters = new double[12];
        for (var row = 0; row < 3; row++)
        {
            // ITK's translation t with y = M (x - c) + c + t: the offset minus (c - M c).
            var translation = lps[row, 3] - lpsCentre[row];
            for (var column = 0; column < 3; column++)
            {
                parameters[row * 3 + column] = lps[row, column];
                translation += lps[row, column] * lpsCentre[column];
            }
            parameters[9 + row] = translation;
        }
        using var buffer = new MemoryStream();
        WriteVariable(buffer, ParametersName, parameters);
        WriteVariable(buffer, CentreName, lpsCentre);
        IO.AtomicFile.WriteAllBytes(path, buffer.ToArray());
    }

    /// <summary>Reads an ANTs/ITK affine .mat file back as the RAS template-to-participant transform.</summary>
    public static AffineMatrix Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var variables = new Dictionary<string, double[]>(StringComparer.Ordinal);
        var offset = 0;
        while (offset + 20 <= bytes.Length)
        {
            var type = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset));
            var rows = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset + 4));
            var columns = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset + 8));
            var imaginary = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset + 12));
            var nameLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset + 16));
            // Type 0: little-endian IEEE doubles, a full numeric matrix; ANTs writes nothing else.
            if (type != 0 || imaginary != 0 || rows < 0 || columns < 0 || nameLength < 1 || (long)offset + 20 + nameLength + 8L * rows * columns > bytes.Length)
            {
                throw new InvalidDataException($"{path} is not a MATLAB v4 file of little-endian doubles as ANTs writes (variable header at byte {offset}).");
            }
            var name = Encoding.ASCII.GetString(bytes, offset + 20, nameLength - 1);
            var values = new double[rows * columns];
            var data = offset + 20 + nameLength;
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(data + 8 * i));
            }
            variables[name] = values;
            offset = data + 8 * values.Length;
        }
        var parameters = variables.FirstOrDefault(v => v.Key.StartsWith("AffineTransform_", StringComparison.Ordinal) || v.Key.StartsWith("MatrixOffsetTransformBase_", StringComparison.Ordinal)).Value;
        if (parameters is not { Length: 12 })
        {
            throw new InvalidDataException($"{path} holds no 3D affine transform (AffineTransform_double_3_3 with 12 parameters).");
        }
        var centre = variables.TryGetValue(CentreName, out var c) && c.Length == 3 ? c : [0, 0, 0];
        var matrix = new double[4, 4];
        matrix[3, 3] = 1;
        for (var row = 0; row < 3; row++)
        {
            var offsetValue = parameters[9 + row] + centre[row];
            for (var column = 0; column < 3; column++)
            {
                matrix[row, column] = parameters[row * 3 + column];
                offsetValue -= parameters[row * 3 + column] * centre[column];
            }
            matrix[row, 3] = offsetValue;
        }
        return RasToLps.Multiply(new AffineMatrix(matrix)).Multiply(RasToLps);
    }

    private static void WriteVariable(Stream stream, string name, double[] column)
    {
        Span<byte> header = stackalloc byte[20];
        BinaryPrimitives.WriteInt32LittleEndian(header, 0);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], column.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], 1);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], 0);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], name.Length + 1);
        stream.Write(header);
        stream.Write(Encoding.ASCII.GetBytes(name + "\0"));
        Span<byte> value = stackalloc byte[8];
        foreach (var number in column)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(value, number);
            stream.Write(value);
        }
    }
}
