using System.Text.Json.Nodes;
using ClinicaDL.Core.Conversion;

namespace ClinicaDL.Core.Tests.Conversion;

public sealed class ConversionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clinicadl-conversion-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [SkippableFact]
    public void Dicom_headers_of_the_orientation_series_give_the_grouping_fields_over_every_transfer_syntax()
    {
        var root = TestData.Path("dicom", "dcm_qa_orientation", "In", "Orientation");
        Skip.IfNot(Directory.Exists(root), TestData.SkipMessage);
        var sources = ConversionSources.Scan([root], null, CancellationToken.None);

        Assert.Empty(sources.Problems);
        Assert.Equal(21, sources.Series.Count);
        Assert.All(sources.Series, s => Assert.Equal(2, s.Files.Count()));
        var first = sources.Series.Single(s => s.First.SeriesDescription == "ax_asc_35sl").First;
        Assert.Equal(("stc_test", "crlab", "20140310", "M", 6), (first.PatientName, first.PatientId, first.StudyDate, first.PatientSex, first.SeriesNumber));
        // The JPEG and JPEG 2000 series are encapsulated: their fragments are walked too.
        Assert.Contains(sources.Series, s => s.First.TransferSyntaxUid == "1.2.840.10008.1.2.4.90");
        Assert.Single(sources.Images);
    }

    [SkippableFact]
    public void A_truncated_dicom_file_is_corrupt_and_names_its_series()
    {
        var source = TestData.Path("dicom", "dcm_qa_orientation", "In", "Orientation", "ax", "axasc35");
        Skip.IfNot(Directory.Exists(source), TestData.SkipMessage);
        var file = Directory.GetFiles(source, "MR.*")[0];
        var copy = Path.Combine(_folder, "cut.dcm");
        File.WriteAllBytes(copy, File.ReadAllBytes(file)[..20000]);

        var error = Assert.Throws<CorruptDicomException>(() => DicomHeader.Read(copy));

        Assert.Equal(copy, error.Path);
        Assert.NotNull(error.SeriesInstanceUid);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Rules_in_dcm2bids_form_match_with_wildcards_lists_and_ranges()
    {
        var rules = ConversionRules.Parse(JsonNode.Parse("""
            { "search_method": "fnmatch", "descriptions": [
              { "dataType": "anat", "modalityLabel": "T1w", "customLabels": "acq-mprage", "criteria": { "SeriesDescription": "*T1*", "ImageType": ["ORIG*", "PRIMARY"], "EchoTime": { "btw": [0.002, 0.004] } } } ] }
            """), "test");
        var rule = Assert.Single(rules.Rules);
        Assert.Equal("acq-mprage", $"acq-{rule.Entities["acq"]}");
        var sidecar = (JsonObject)JsonNode.Parse("""{ "SeriesDescription": "sag_T1_mprage", "ImageType": ["ORIGINAL", "PRIMARY"], "EchoTime": 0.00298 }""")!;
        Assert.Null(rule.Explain(sidecar));
        sidecar["EchoTime"] = 0.1;
        sidecar = (JsonObject)JsonNode.Parse(sidecar.ToJsonString())!;
        Assert.Equal("EchoTime 0.1 does not lie between 0.002 and 0.004", rule.Explain(sidecar));
    }

    [Theory]
    [InlineData("""[{ "datatype": "anat", "suffix": "T1w", "criteria": { "a": 1 }, "IntendedFor": 0 }]""", "IntendedFor")]
    [InlineData("""[{ "datatype": "anatomy", "suffix": "T1w", "criteria": { "a": 1 } }]""", "'anatomy' is not a BIDS datatype")]
    [InlineData("""[{ "datatype": "anat", "suffix": "T1w", "criteria": { "a": 1 }, "entities": { "run": "one" } }]""", "'one' of run is not an index")]
    [InlineData("""[{ "datatype": "anat", "suffix": "T1w" }]""", "no criteria")]
    public void Invalid_rules_are_refused_with_the_field_named(string json, string expected)
    {
        var error = Assert.Throws<ConversionException>(() => ConversionRules.Parse(JsonNode.Parse(json), "rules.json"));
        Assert.Equal(ConversionFailure.InvalidConversionRules, error.Failure);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void The_privacy_check_removes_identifying_fields_and_fields_holding_the_name()
    {
        var sidecar = (JsonObject)JsonNode.Parse("""{ "PatientName": "DOE^JANE", "SeriesDescription": "t1 jane", "ProtocolName": "t1_janet", "EchoTime": 0.003 }""")!;
        var removed = SidecarPrivacy.Clean(sidecar, SidecarPrivacy.KnownValues("DOE^JANE", "H123", null));
        Assert.Equal(["PatientName", "SeriesDescription"], removed);
        Assert.Equal(["ProtocolName", "EchoTime"], sidecar.Select(p => p.Key));
    }

    [Fact]
    public void Names_follow_the_bids_entity_order()
    {
        Assert.Equal("sub-01_ses-M000_task-rest_acq-ax_run-02_echo-1_bold",
            BidsNaming.Stem("01", "M000", new Dictionary<string, string> { ["echo"] = "1", ["run"] = "02", ["acq"] = "ax", ["task"] = "rest" }, "bold"));
    }
}
