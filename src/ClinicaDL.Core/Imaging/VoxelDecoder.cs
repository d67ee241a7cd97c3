using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace ClinicaDL.Core.Imaging;

/// <summary>Turns stored voxel bytes into numbers: byte-order swaps and typed, scaled conversion.</summary>
internal static class VoxelDecoder
{
    /// <summary>Reverses the byte order of every component in place (bytes of RGB voxels never move).</summary>
    public static void SwapInPlace(Span<byte> data, NiftiDataType type)
    {
        switch (NiftiDataTypes.ComponentSize(type))
        {
            case 2:
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ushort>(data), MemoryMarshal.Cast<byte, ushort>(data));
                break;
            case 4:
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, uint>(data), MemoryMarshal.Cast<byte, uint>(data));
                break;
            case 8:
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ulong>(data), MemoryMarshal.Cast<byte, ulong>(data));
                break;
        }
    }

    /// <summary>
    /// Converts native-order stored values to <typeparamref name="TOut"/>, applying <c>raw * slope + inter</c>
    /// in double precision as nibabel's <c>get_fdata</c> does (no scaling when slope is 1 and inter 0).
    /// Complex data give their real part, as nibabel does.
    /// </summary>
    public static void Convert<TOut>(ReadOnlySpan<byte> native, NiftiDataType type, double slope, double inter, Span<TOut> destination)
        where TOut : struct, IFloatingPointIeee754<TOut>
    {
        var scaled = slope != 1.0 || inter != 0.0;
        switch (type)
        {
            case NiftiDataType.UInt8: Widen(native, slope, inter, scaled, destination); break;
            case NiftiDataType.Int8: Widen(MemoryMarshal.Cast<byte, sbyte>(native), slope, inter, scaled, destination); break;
            case NiftiDataType.Int16: Widen(MemoryMarshal.Cast<byte, short>(native), slope, inter, scaled, destination); break;
            case NiftiDataType.UInt16: Widen(MemoryMarshal.Cast<byte, ushort>(native), slope, inter, scaled, destination); break;
            case NiftiDataType.Int32: Widen(MemoryMarshal.Cast<byte, int>(native), slope, inter, scaled, destination); break;
            case NiftiDataType.UInt32: Widen(MemoryMarshal.Cast<byte, uint>(native), slope, inter, scaled, destination); break;
            case NiftiDataType.Int64: Widen(MemoryMarshal.Cast<byte, long>(native), slope, inter, scaled, destination); break;
            case NiftiDataType.UInt64: Widen(MemoryMarshal.Cast<byte, ulong>(native), slope, inter, scaled, destination); break;
            case NiftiDataType.Float32: Widen(MemoryMarshal.Cast<byte, float>(native), slope, inter, scaled, destination); break;
            case NiftiDataType.Float64: Widen(MemoryMarshal.Cast<byte, double>(native), slope, inter, scaled, destination); break;
            case NiftiDataType.Complex64: RealPart(MemoryMarshal.Cast<byte, float>(native), slope, inter, scaled, destination); break;
            case NiftiDataType.Complex128: RealPart(MemoryMarshal.Cast<byte, double>(native), slope, inter, scaled, destination); break;
            default:
                throw new NotSupportedException(
                    $"{NiftiDataTypes.Name(type)} voxels have no single numeric value; read their components from the raw bytes.");
        }
    }

    private static void Widen<TIn, TOut>(ReadOnlySpan<TIn> source, double slope, double inter, bool scaled, Span<TOut> destination)
        where TIn : struct, INumberBase<TIn>
        where TOut : struct, IFloatingPointIeee754<TOut>
    {
        if (scaled)
        {
            for (var i = 0; i < source.Length; i++)
            {
                destination[i] = TOut.CreateTruncating(double.CreateTruncating(source[i]) * slope + inter);
            }
        }
        else
        {
            for (var i = 0; i < source.Length; i++)
            {
                destination[i] = TOut.CreateTruncating(double.CreateTruncating(source[i]));
            }
        }
    }

    private static void RealPart<TIn, TOut>(ReadOnlySpan<TIn> pairs, double slope, double inter, bool scaled, Span<TOut> destination)
        where TIn : struct, INumberBase<TIn>
        where TOut : struct, IFloatingPointIeee754<TOut>
    {
        for (var i = 0; i < destination.Length; i++)
        {
            var real = double.CreateTruncating(pairs[2 * i]);
            destination[i] = TOut.CreateTruncating(scaled ? real * slope + inter : real);
        }
    }
}
