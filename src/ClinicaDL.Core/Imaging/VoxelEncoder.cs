using System.Numerics;
using System.Runtime.InteropServices;

namespace ClinicaDL.Core.Imaging;

/// <summary>Turns values into stored voxels: <c>(value - inter) / slope</c>, rounded half to even and clamped for integers.</summary>
internal static class VoxelEncoder
{
    public static void Encode<TIn>(ReadOnlySpan<TIn> values, NiftiDataType type, double slope, double inter, Span<byte> destination)
        where TIn : struct, INumberBase<TIn>
    {
        switch (type)
        {
            case NiftiDataType.UInt8: Store(values, slope, inter, destination); break;
            case NiftiDataType.Int8: Store(values, slope, inter, MemoryMarshal.Cast<byte, sbyte>(destination)); break;
            case NiftiDataType.Int16: Store(values, slope, inter, MemoryMarshal.Cast<byte, short>(destination)); break;
            case NiftiDataType.UInt16: Store(values, slope, inter, MemoryMarshal.Cast<byte, ushort>(destination)); break;
            case NiftiDataType.Int32: Store(values, slope, inter, MemoryMarshal.Cast<byte, int>(destination)); break;
            case NiftiDataType.UInt32: Store(values, slope, inter, MemoryMarshal.Cast<byte, uint>(destination)); break;
            case NiftiDataType.Int64: Store(values, slope, inter, MemoryMarshal.Cast<byte, long>(destination)); break;
            case NiftiDataType.UInt64: Store(values, slope, inter, MemoryMarshal.Cast<byte, ulong>(destination)); break;
            case NiftiDataType.Float32: Store(values, slope, inter, MemoryMarshal.Cast<byte, float>(destination)); break;
            case NiftiDataType.Float64: Store(values, slope, inter, MemoryMarshal.Cast<byte, double>(destination)); break;
            default: throw new NotSupportedException($"{NiftiDataTypes.Name(type)} voxels are written from raw bytes.");
        }
        if (!BitConverter.IsLittleEndian)
        {
            VoxelDecoder.SwapInPlace(destination, type);
        }
    }

    private static void Store<TIn, TOut>(ReadOnlySpan<TIn> values, double slope, double inter, Span<TOut> destination)
        where TIn : struct, INumberBase<TIn>
        where TOut : struct, INumberBase<TOut>
    {
        var integer = typeof(TOut) != typeof(float) && typeof(TOut) != typeof(double);
        var unscaled = slope == 1.0 && inter == 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            var value = double.CreateTruncating(values[i]);
            if (!unscaled)
            {
                value = (value - inter) / slope;
            }
            // Integers: round half to even as numpy's rint, NaN stored as 0, saturate at the type's range.
            destination[i] = integer
                ? TOut.CreateSaturating(double.IsNaN(value) ? 0.0 : Math.Round(value))
                : TOut.CreateTruncating(value);
        }
    }
}
