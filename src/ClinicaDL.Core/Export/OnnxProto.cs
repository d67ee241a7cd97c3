namespace ClinicaDL.Core.Export;

/// <summary>
/// The field numbers and enumeration values of onnx.proto (github.com/onnx/onnx, onnx/onnx.proto) that the
/// exporter writes, by message. Only these are written; every other field keeps its default.
/// </summary>
internal static class OnnxProto
{
    /// <summary>ModelProto.</summary>
    public static class Model
    {
        public const int IrVersion = 1;
        public const int ProducerName = 2;
        public const int ProducerVersion = 3;
        public const int DocString = 6;
        public const int Graph = 7;
        public const int OpsetImport = 8;
        public const int MetadataProps = 14;
    }

    /// <summary>OperatorSetIdProto (the default domain is the empty string, left unwritten).</summary>
    public static class OperatorSetId
    {
        public const int Version = 2;
    }

    /// <summary>StringStringEntryProto.</summary>
    public static class StringStringEntry
    {
        public const int Key = 1;
        public const int Value = 2;
    }

    /// <summary>GraphProto.</summary>
    public static class Graph
    {
        public const int Node = 1;
        public const int Name = 2;
        public const int Initializer = 5;
        public const int Input = 11;
        public const int Output = 12;
    }

    /// <summary>NodeProto.</summary>
    public static class Node
    {
        public const int Input = 1;
        public const int Output = 2;
        public const int Name = 3;
        public const int OpType = 4;
        public const int Attribute = 5;
    }

    /// <summary>AttributeProto and its AttributeType values.</summary>
    public static class Attribute
    {
        public const int Name = 1;
        public const int F = 2;
        public const int I = 3;
        public const int Ints = 8;
        public const int Type = 20;

        public const int TypeFloat = 1;
        public const int TypeInt = 2;
        public const int TypeInts = 7;
    }

    /// <summary>TensorProto and its DataType values.</summary>
    public static class Tensor
    {
        public const int Dims = 1;
        public const int DataType = 2;
        public const int Name = 8;
        public const int RawData = 9;

        public const int Float = 1;
        public const int Int64 = 7;
    }

    /// <summary>ValueInfoProto.</summary>
    public static class ValueInfo
    {
        public const int Name = 1;
        public const int Type = 2;
    }

    /// <summary>TypeProto (tensor_type), TypeProto.Tensor, TensorShapeProto and TensorShapeProto.Dimension.</summary>
    public static class Type
    {
        public const int TensorType = 1;
        public const int TensorElementType = 1;
        public const int TensorShape = 2;
        public const int ShapeDimension = 1;
        public const int DimensionValue = 1;
        public const int DimensionParameter = 2;
    }
}
