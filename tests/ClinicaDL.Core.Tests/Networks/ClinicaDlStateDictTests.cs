using System.Text.Json.Nodes;
using ClinicaDL.Core.Networks;

namespace ClinicaDL.Core.Tests.Networks;

/// <summary>
/// Every network both tools have carries ClinicaDL 1.6.1's state-dict names and shapes (read off ClinicaDL's own
/// networks by clinicadl_state_dicts.py into clinicadl-state-dicts.json), so a model.pth.tar of one loads into the
/// other; the networks that do not are exactly those NetworkRegistry.ClinicaDlMismatch names, and no others.
/// </summary>
public sealed class ClinicaDlStateDictTests
{
    public ClinicaDlStateDictTests() => TorchNatives.EnsureLoaded();

    public static TheoryData<string, string> Networks()
    {
        var data = new TheoryData<string, string>();
        foreach (var entry in Reference())
        {
            data.Add(entry["architecture"]!.GetValue<string>(), string.Join("x", entry["input_size"]!.AsArray().Select(d => d!.GetValue<long>())));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Names_and_shapes_are_ClinicaDL_s_unless_the_registry_says_why_not(string architecture, string inputSize)
    {
        var shape = inputSize.Split('x').Select(long.Parse).ToArray();
        var reference = Reference().Single(e => e["architecture"]!.GetValue<string>() == architecture
            && string.Join("x", e["input_size"]!.AsArray().Select(d => d!.GetValue<long>())) == inputSize)["state_dict"]!.AsArray()
            .ToDictionary(p => p![0]!.GetValue<string>(), p => string.Join("x", p![1]!.AsArray().Select(d => d!.GetValue<long>())));
        using var model = NetworkRegistry.Create(architecture, shape, 2, 0.5);
        var ours = model.state_dict().ToDictionary(p => p.Key, p => string.Join("x", p.Value.shape));
        var same = reference.Count == ours.Count && reference.All(r => ours.TryGetValue(r.Key, out var s) && s == r.Value);
        var mismatch = NetworkRegistry.ClinicaDlMismatch(architecture, shape);
        Assert.True(same == (mismatch is null), mismatch is null
            ? $"{architecture} {inputSize} differs from ClinicaDL's: missing {string.Join(", ", reference.Keys.Except(ours.Keys).Take(5))}; extra {string.Join(", ", ours.Keys.Except(reference.Keys).Take(5))}; " +
              $"other shapes {string.Join(", ", reference.Where(r => ours.TryGetValue(r.Key, out var s) && s != r.Value).Select(r => r.Key).Take(5))}"
            : $"{architecture} {inputSize} now matches ClinicaDL's: the registry's reason '{mismatch}' is stale");
    }

    [Fact]
    public void The_reference_covers_every_architecture_but_those_ClinicaDL_cannot_build()
    {
        var covered = Reference().Select(e => e["architecture"]!.GetValue<string>()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        // RandomArchitecture is built from a convolutions_dict: RandomArchitectureTests holds ClinicaDL's state dicts of four.
        Assert.Equal(["CAE_half", "VanillaDenseVAE", "VanillaSpatialVAE", "Vanilla3DspacialVAE"], NetworkRegistry.Names.Where(n => !covered.Contains(n) && n != "RandomArchitecture"));
        // ClinicaDL cannot build these, so none of their weights can come from it: each says so.
        Assert.All(new[] { ("CAE_half", new long[] { 1, 80, 96, 80 }), ("VanillaDenseVAE", [1, 64, 64]), ("VanillaSpatialVAE", [1, 64, 64]), ("Vanilla3DspacialVAE", [1, 80, 96, 80]) },
            n => Assert.Contains("cannot build", NetworkRegistry.ClinicaDlMismatch(n.Item1, n.Item2)));
    }

    private static IEnumerable<JsonNode> Reference() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(EngineSource.Repository, "tests", "ClinicaDL.Core.Tests", "Networks", "clinicadl-state-dicts.json")))!.AsArray().Select(e => e!);
}
