using ClinicaDL.Core.IO;

namespace ClinicaDL.Core.Export;

/// <summary>A node attribute (AttributeProto) of one of the three kinds the exported operators take.</summary>
internal sealed class OnnxAttribute
{
    private readonly string _name;
    private readonly int _type;
    private readonly long _integer;
    private readonly float _real;
    private readonly long[] _integers = [];

    private OnnxAttribute(string name, int type, long integer = 0, float real = 0, long[]? integers = null)
    {
        _name = name;
        _type = type;
        _integer = integer;
        _real = real;
        _integers = integers ?? [];
    }

    public static OnnxAttribute Int(string name, long value) => new(name, OnnxProto.Attribute.TypeInt, integer: value);

    public static OnnxAttribute Float(string name, double value) => new(name, OnnxProto.Attribute.TypeFloat, real: (float)value);

    public static OnnxAttribute Ints(string name, IEnumerable<long> values) => new(name, OnnxProto.Attribute.TypeInts, integers: [.. values]);

    public ProtobufMessage ToMessage()
    {
        var message = new ProtobufMessage().String(OnnxProto.Attribute.Name, _name).Int64(OnnxProto.Attribute.Type, _type);
        return _type switch
        {
            OnnxProto.Attribute.TypeInt => message.Int64(OnnxProto.Attribute.I, _integer),
            OnnxProto.Attribute.TypeFloat => message.Float(OnnxProto.Attribute.F, _real),
            _ => message.Int64s(OnnxProto.Attribute.Ints, _integers),
        };
    }
}
