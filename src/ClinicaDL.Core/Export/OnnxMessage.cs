using Google.Protobuf;

namespace ClinicaDL.Core.Export;

/// <summary>
/// One message of onnx.proto being written, its fields given by their field numbers there and encoded by
/// Google.Protobuf's <see cref="CodedOutputStream"/> (compiling all of onnx.proto would ship hundreds of
/// generated types for the dozen fields an exported network uses). A message is written into memory, so that a
/// parent can prefix it with its length; the outermost one (the ModelProto) writes straight to its stream.
/// onnx.proto is proto2, where repeated numbers are not packed: each is written with its own tag.
/// </summary>
internal sealed class OnnxMessage : IDisposable
{
    private readonly MemoryStream? _buffer;
    private readonly CodedOutputStream _output;

    /// <summary>A message held in memory until its parent takes it (<see cref="Message"/>).</summary>
    public OnnxMessage()
    {
        _buffer = new MemoryStream();
        _output = new CodedOutputStream(_buffer, leaveOpen: true);
    }

    /// <summary>A top-level message written to <paramref name="destination"/> as its fields come (call <see cref="Flush"/> at the end).</summary>
    public OnnxMessage(Stream destination)
    {
        _output = new CodedOutputStream(destination, leaveOpen: true);
    }

    public OnnxMessage Int64(int field, long value)
    {
        _output.WriteTag(field, WireFormat.WireType.Varint);
        _output.WriteInt64(value);
        return this;
    }

    public OnnxMessage Int64s(int field, IEnumerable<long> values)
    {
        foreach (var value in values)
        {
            Int64(field, value);
        }
        return this;
    }

    public OnnxMessage Float(int field, float value)
    {
        _output.WriteTag(field, WireFormat.WireType.Fixed32);
        _output.WriteFloat(value);
        return this;
    }

    public OnnxMessage String(int field, string value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteString(value);
        return this;
    }

    public OnnxMessage Bytes(int field, ReadOnlyMemory<byte> value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteBytes(UnsafeByteOperations.UnsafeWrap(value));
        return this;
    }

    /// <summary>A nested message, written with its length; the child is disposed.</summary>
    public OnnxMessage Message(int field, OnnxMessage child)
    {
        using (child)
        {
            return Bytes(field, child.Content());
        }
    }

    public OnnxMessage Messages(int field, IEnumerable<OnnxMessage> children)
    {
        foreach (var child in children)
        {
            Message(field, child);
        }
        return this;
    }

    public void Flush() => _output.Flush();

    private ReadOnlyMemory<byte> Content()
    {
        _output.Flush();
        var buffer = _buffer ?? throw new InvalidOperationException("A message written to a stream has no content in memory.");
        return buffer.GetBuffer().AsMemory(0, checked((int)buffer.Length));
    }

    public void Dispose()
    {
        _output.Dispose();
        _buffer?.Dispose();
    }
}
