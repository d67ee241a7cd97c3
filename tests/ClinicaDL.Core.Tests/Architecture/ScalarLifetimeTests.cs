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

    /// <summary>
    /// The same class one call deeper: many TorchSharp methods make such a Scalar inside (<c>a + b</c> and
    /// <c>add_(b)</c> pass an alpha of 1, <c>square()</c> an exponent of 2, LeakyReLU's and ELU's forward their
    /// slope), which no scan of the engine's own conversions sees: a file network's residual Add gave NaN gradients
    /// once in a few runs. Those methods are found in TorchSharp itself (any method that converts to Scalar, or calls
    /// one that does), and the engine may neither call them nor build a module whose forward is one.
    /// </summary>
    [Fact]
    public void The_engine_calls_no_torchsharp_method_that_makes_an_unkept_scalar_inside()
    {
        var found = HiddenScalarCalls(typeof(ScalarScope).Assembly);
        Assert.True(found.Count == 0, $"{found.Count} call(s):\n{string.Join("\n", found.Distinct().Order())}");
    }

    /// <summary>
    /// An explicit Scalar is kept alive only where something holds it: a using declaration (disposed at the end of its
    /// scope, so alive until then), a field, or a ScalarScope. <c>t * 0.5.ToScalar()</c>, or a plain local, is the same
    /// race as an implicit conversion, invisible to the IL scans; the source says which, line by line.
    /// </summary>
    [Fact]
    public void Every_explicit_scalar_in_the_engine_is_held_by_a_using_a_field_or_a_scope()
    {
        var held = new System.Text.RegularExpressions.Regex(@"^\s*(using\s+var\s|using\s*\(\s*var\s|(private|internal|public)?\s*(static\s+)?readonly\s+Scalar\s)");
        // The rule itself: held forms pass, an inline or plain-local Scalar does not.
        Assert.True(held.IsMatch("        using var four = 4L.ToScalar();") && held.IsMatch("    private static readonly Scalar Half = 0.5.ToScalar();"));
        Assert.False(held.IsMatch("        var deviation = (logVariance * 0.5.ToScalar()).exp();") || held.IsMatch("        var two = 2.ToScalar();"));
        var unheld = EngineSource.Files(EngineSource.Engine)
            .Where(file => Path.GetFileName(file) != nameof(ScalarScope) + ".cs")
            .SelectMany(file => File.ReadLines(file).Select((line, index) => (file, line, index)))
            .Where(l => l.line.Contains(".ToScalar()", StringComparison.Ordinal) && !held.IsMatch(l.line))
            .Select(l => $"{Path.GetRelativePath(EngineSource.Engine, l.file)}:{l.index + 1}: {l.line.Trim()}")
            .ToList();
        Assert.True(unheld.Count == 0, $"{unheld.Count} Scalar(s) nothing holds:\n{string.Join("\n", unheld)}");
    }

    [Fact]
    public void The_deeper_scan_finds_a_hidden_scalar_where_there_is_one()
    {
        var found = HiddenScalarCalls(typeof(ScalarLifetimeTests).Assembly);
        Assert.Contains(found, f => f.EndsWith("Tensor.op_Addition(Tensor, Tensor)", StringComparison.Ordinal));
        Assert.Contains(found, f => f.EndsWith("LeakyReLU(Double, Boolean)", StringComparison.Ordinal));
    }

    /// <summary>Probe for the control test: tensor addition, whose alpha TorchSharp converts, and a LeakyReLU module.</summary>
    internal static TorchSharp.torch.Tensor HiddenProbe(TorchSharp.torch.Tensor a, TorchSharp.torch.Tensor b) => TorchSharp.torch.nn.LeakyReLU(0.1).forward(a + b);

    private const System.Reflection.BindingFlags Declared = System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic |
        System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.DeclaredOnly;

    private static readonly Lazy<HashSet<System.Reflection.MethodBase>> HiddenScalarMethods = new(() =>
    {
        var torchSharp = typeof(TorchSharp.torch).Assembly;
        var methods = LoadableTypes(torchSharp).Where(t => t != typeof(TorchSharp.Scalar)).SelectMany(MethodsOf).ToList();
        var calls = methods.ToDictionary(m => m, m => CalledMethods(m).ToList());
        var hidden = methods.Where(m => calls[m].Any(c => c.DeclaringType == typeof(TorchSharp.Scalar) && c.Name == "op_Implicit")).ToHashSet();
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var method in methods.Where(m => !hidden.Contains(m) && calls[m].Any(c => hidden.Contains(Definition(c)))))
            {
                hidden.Add(method);
                grew = true;
            }
        }
        return hidden;
    });

    private static List<string> HiddenScalarCalls(System.Reflection.Assembly assembly)
    {
        var hidden = HiddenScalarMethods.Value;
        // A module type whose forward makes one: building it is the offence, since its forward runs on every batch.
        bool HiddenForward(Type? type) => type is not null && type.Assembly == typeof(TorchSharp.torch).Assembly &&
            type.GetMethods(Declared).Any(m => m.Name == "forward" && hidden.Contains(m));
        var found = new List<string>();
        foreach (var method in LoadableTypes(assembly).SelectMany(MethodsOf))
        {
            foreach (var called in CalledMethods(method))
            {
                var definition = Definition(called);
                if (hidden.Contains(definition) || HiddenForward((called as System.Reflection.MethodInfo)?.ReturnType) || (called.IsConstructor && HiddenForward(called.DeclaringType)))
                {
                    found.Add($"{method.DeclaringType?.FullName}.{method.Name} calls {called.DeclaringType?.Name}.{called.Name}({string.Join(", ", called.GetParameters().Select(p => p.ParameterType.Name))})");
                }
            }
        }
        return found;
    }

    private static System.Reflection.MethodBase Definition(System.Reflection.MethodBase method) =>
        method is System.Reflection.MethodInfo { IsGenericMethod: true } generic ? generic.GetGenericMethodDefinition() : method;

    private static IEnumerable<Type> LoadableTypes(System.Reflection.Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (System.Reflection.ReflectionTypeLoadException partial)
        {
            return partial.Types.OfType<Type>();
        }
    }

    private static IEnumerable<System.Reflection.MethodBase> MethodsOf(Type type) =>
        type.GetMethods(Declared).Cast<System.Reflection.MethodBase>().Concat(type.GetConstructors(Declared));

    /// <summary>The methods a method's IL calls (call, callvirt, newobj), as far as they resolve.</summary>
    private static IEnumerable<System.Reflection.MethodBase> CalledMethods(System.Reflection.MethodBase method)
    {
        byte[]? il;
        try
        {
            il = method.GetMethodBody()?.GetILAsByteArray();
        }
        catch (Exception error) when (error is FileNotFoundException or FileLoadException or TypeLoadException)
        {
            yield break;
        }
        if (il is null)
        {
            yield break;
        }
        for (var i = 0; i + 4 < il.Length; i++)
        {
            if (il[i] is not (0x28 or 0x6F or 0x73))
            {
                continue;
            }
            System.Reflection.MethodBase? called;
            try
            {
                called = method.Module.ResolveMethod(BitConverter.ToInt32(il, i + 1), method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null,
                    method.IsGenericMethod ? method.GetGenericArguments() : null);
            }
            catch (Exception error) when (error is ArgumentException or BadImageFormatException or FileNotFoundException or FileLoadException or TypeLoadException or MissingMemberException)
            {
                continue;
            }
            if (called is not null)
            {
                yield return called;
            }
        }
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
