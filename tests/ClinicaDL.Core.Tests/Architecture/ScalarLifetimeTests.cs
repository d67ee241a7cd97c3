using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using ClinicaDL.Core.Runtime;

namespace ClinicaDL.Core.Tests.Architecture;

/// <summary>
/// The class, not its instances: a number given to a libtorch operation becomes a TorchSharp Scalar that nothing keeps
/// alive, which a collection on another thread can free while libtorch reads it ("Unknown scalar type", one image of
/// 80 in a CI run). The engine's compiled code is read for the two ways such a Scalar is made: an implicit conversion
/// to Scalar, and a Tensor operator with a number operand (TorchSharp converts inside it). Numbers go through a
/// <see cref="ScalarScope"/> (or a cached Scalar) instead.
/// </summary>
public sealed class ScalarLifetimeTests
{
    [Fact]
    public void The_engine_gives_libtorch_no_scalar_it_does_not_keep_alive()
    {
        var offenders = UnkeptScalars(typeof(ScalarScope).Assembly.Location);
        Assert.Empty(offenders);
    }

    [Fact]
    public void The_scan_finds_an_implicit_scalar_where_there_is_one()
    {
        // This test assembly converts numbers to Scalars freely: the scan must see them.
        Assert.NotEmpty(UnkeptScalars(typeof(ScalarLifetimeTests).Assembly.Location));
    }

    /// <summary>Probe for the control test: an implicit conversion and a Tensor operator with a number.</summary>
    internal static TorchSharp.torch.Tensor Probe(TorchSharp.torch.Tensor tensor) => tensor.mul_(2.0) * 3;

    private static List<string> UnkeptScalars(string assembly)
    {
        using var pe = new PEReader(File.OpenRead(assembly));
        var metadata = pe.GetMetadataReader();
        var unkept = new HashSet<int>();
        foreach (var handle in metadata.MemberReferences)
        {
            var member = metadata.GetMemberReference(handle);
            if (member.Parent.Kind != HandleKind.TypeReference)
            {
                continue;
            }
            var type = metadata.GetString(metadata.GetTypeReference((TypeReferenceHandle)member.Parent).Name);
            var name = metadata.GetString(member.Name);
            if (member.GetKind() != MemberReferenceKind.Method)
            {
                continue;
            }
            var numberOperand = member.DecodeMethodSignature(new ParameterKinds(), null).ParameterTypes.Contains("number");
            if ((type == "Scalar" && name == "op_Implicit") || (type == "Tensor" && name.StartsWith("op_", StringComparison.Ordinal) && name != "op_Implicit" && numberOperand))
            {
                unkept.Add(MetadataTokens.GetToken(handle));
            }
        }
        var found = new List<string>();
        foreach (var typeHandle in metadata.TypeDefinitions)
        {
            var type = metadata.GetTypeDefinition(typeHandle);
            foreach (var methodHandle in type.GetMethods())
            {
                var method = metadata.GetMethodDefinition(methodHandle);
                if (method.RelativeVirtualAddress == 0)
                {
                    continue;
                }
                var il = pe.GetMethodBody(method.RelativeVirtualAddress).GetILBytes()!;
                for (var i = 0; i + 4 < il.Length; i++)
                {
                    if (il[i] == 0x28 && unkept.Contains(BitConverter.ToInt32(il, i + 1)))
                    {
                        found.Add($"{metadata.GetString(type.Namespace)}.{metadata.GetString(type.Name)}.{metadata.GetString(method.Name)}");
                    }
                }
            }
        }
        return found;
    }

    /// <summary>Names a signature's types just enough to tell a number (integer or floating point) from anything else.</summary>
    private sealed class ParameterKinds : ISignatureTypeProvider<string, object?>
    {
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode is PrimitiveTypeCode.Int32 or PrimitiveTypeCode.Int64 or PrimitiveTypeCode.Single
            or PrimitiveTypeCode.Double or PrimitiveTypeCode.Int16 or PrimitiveTypeCode.Byte ? "number" : "other";
        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => "other";
        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => "other";
        public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) => "other";
        public string GetSZArrayType(string elementType) => "other";
        public string GetArrayType(string elementType, ArrayShape shape) => "other";
        public string GetByReferenceType(string elementType) => "other";
        public string GetPointerType(string elementType) => "other";
        public string GetGenericInstantiation(string genericType, System.Collections.Immutable.ImmutableArray<string> typeArguments) => "other";
        public string GetGenericMethodParameter(object? genericContext, int index) => "other";
        public string GetGenericTypeParameter(object? genericContext, int index) => "other";
        public string GetFunctionPointerType(MethodSignature<string> signature) => "other";
        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
        public string GetPinnedType(string elementType) => "other";
    }
}
