using Google.Protobuf;

namespace ClinicaDL.Core.IO;

/// <summary>
/// One protocol-buffers message being written, its fields given by their numbers in the .proto that defines it and
/// encoded by Google.Protobuf's <see cref="CodedOutputStream"/>: ONNX's ModelProto (Export) and TensorBoard's Event
/// (Maps), where compiling the whole .proto would ship hundreds of generated types for the dozen fields written. A
/// message is written into memory, so that a parent can prefix it with its length; an outermost one may write
/// straight to its stream. Repeated numbers are written unpacked, each with its own tag (proto2, as onnx.proto).
/// </summary>
internal sealed class ProtobufMessage : IDisposable
{
    private readonly MemoryStream? _buffer;
    private readonly CodedOutputStream _output;

    /// <summary>A message held in memory until its parent takes it (<see cref="Message"/>).</summary>
    public ProtobufMessage()
    {
        _buffer = new MemoryStream();
        _output = new CodedOutputStream(_buffer, leaveOpen: true);
    }

    /// <summary>A top-level message written to <paramref name="destination"/> as its fields come (call <see cref="Flush"/> at the end).</summary>
    public ProtobufMessage(Stream destination)
    {
        _output = new CodedOutputStream(destination, leaveOpen: true);
    }

    public ProtobufMessage Int64(int field, long value)
    {
        _output.WriteTag(field, WireFormat.WireType.Varint);
        _output.WriteInt64(value);
        return this;
    }

    public ProtobufMessage Int64s(int field, IEnumerable<long> values)
    {
        foreach (var value in values)
        {
            Int64(field, value);
        }
        return this;
    }

    public ProtobufMessage Double(int field, double value)
    {
        _output.WriteTag(field, WireFormat.WireType.Fixed64);
        _output.WriteDouble(value);
        return this;
    }

    public ProtobufMessage Float(int field, float value)
    {
        _output.WriteTag(field, WireFormat.WireType.Fixed32);
        _output.WriteFloat(value);
        return this;
    }

    public ProtobufMessage String(int field, string value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteString(value);
        return this;
    }

    public ProtobufMessage Bytes(int field, ReadOnlyMemory<byte> value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteBytes(UnsafeByteOperations.UnsafeWrap(value));
        return this;
    }

    /// <summary>A nested message, written with its length; the child is disposed.</summary>
    public ProtobufMessage Message(int field, ProtobufMessage child)
    {
        using (child)
        {
            return Bytes(field, child.Content());
        }
    }

    public ProtobufMessage Messages(int field, IEnumerable<ProtobufMessage> children)
    {
        foreach (var child in children)
        {
            Message(field, child);
        }
        return this;
    }

    public void Flush() => _output.Flush();

    /// <summary>The message's bytes (one held in memory).</summary>
    public byte[] ToArray() => Content().ToArray();

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
