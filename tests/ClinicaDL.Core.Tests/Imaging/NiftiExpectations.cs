using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClinicaDL.Core.Tests.Imaging;

/// <summary>The records of ../shared/testdata/nifti/expected.json (values nibabel 5.0 read from each file).</summary>
internal static class NiftiExpectations
{
    private static readonly Lazy<Dictionary<string, JsonElement>> Records = new(Load);

    public static JsonSerializerOptions JsonOptions { get; } = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static IEnumerable<object[]> ValidFiles() => Names(valid: true);

    public static IEnumerable<object[]> InvalidFiles() => Names(valid: false);

    public static JsonElement Record(string file) => Records.Value[file];

    public static double Number(JsonElement element) => element.ValueKind == JsonValueKind.String
        ? element.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            var other => throw new FormatException($"not a number: {other}"),
        }
        : element.GetDouble();

    public static double[] Numbers(JsonElement element) => element.EnumerateArray().Select(Number).ToArray();

    private static IEnumerable<object[]> Names(bool valid)
    {
        if (TestData.Root is null)
        {
            // One case that reports the skip, so a missing folder is visible rather than silently empty.
            return [["(testdata absent)"]];
        }
        return Records.Value.Where(r => r.Value.GetProperty("valid").GetBoolean() == valid).Select(r => new object[] { r.Key });
    }

    private static Dictionary<string, JsonElement> Load()
    {
        if (TestData.Root is null)
        {
            return [];
        }
        using var stream = File.OpenRead(TestData.Path("nifti", "expected.json"));
        var document = JsonDocument.Parse(stream);
        return document.RootElement.GetProperty("files").EnumerateArray()
            .ToDictionary(f => f.GetProperty("file").GetString()!, f => f.Clone());
    }
}
