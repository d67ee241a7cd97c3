using ClinicaDL.Core.IO;

namespace ClinicaDL.Core.Tests.IO;

public sealed class OwnedOutputTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clinicadl-owned-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string NewMaps(string name, params string[] extra)
    {
        var maps = Path.Combine(_folder, name);
        Directory.CreateDirectory(Path.Combine(maps, "groups"));
        Directory.CreateDirectory(Path.Combine(maps, "split-0", "best-loss"));
        File.WriteAllText(Path.Combine(maps, "maps.json"), "{}");
        File.WriteAllText(Path.Combine(maps, "environment.txt"), "");
        foreach (var file in extra)
        {
            File.WriteAllText(Path.Combine(maps, file), "mine");
        }
        return maps;
    }

    [Fact]
    public void A_maps_owns_the_copy_of_every_kind_of_network_file_it_can_be_trained_with()
    {
        // The copy beside maps.json is the MAPS' own: -Overwrite must replace it, not refuse it as foreign.
        foreach (var extension in ClinicaDL.Core.Networks.NetworkFile.Extensions.Concat(ClinicaDL.Core.Networks.TorchScriptNetwork.Extensions))
        {
            Assert.True(OutputKind.Maps.Owns(ClinicaDL.Core.Networks.NetworkFile.MapsCopyName + extension), extension);
        }
        Assert.False(OutputKind.Maps.Owns("architecture.txt"));
    }

    [Fact]
    public void An_absent_or_empty_folder_is_always_replaceable()
    {
        OwnedOutput.CheckReplaceable(Path.Combine(_folder, "absent"), OutputKind.Maps, overwrite: false);
        Directory.CreateDirectory(Path.Combine(_folder, "empty"));
        OwnedOutput.CheckReplaceable(Path.Combine(_folder, "empty"), OutputKind.Maps, overwrite: false);
    }

    [Fact]
    public void An_existing_output_needs_overwrite()
    {
        var maps = NewMaps("maps");
        var error = Assert.Throws<OutputExistsException>(() => OwnedOutput.CheckReplaceable(maps, OutputKind.Maps, overwrite: false));
        Assert.Equal(maps, error.Path);
    }

    [Fact]
    public void A_folder_without_the_marker_is_never_replaced_and_its_entries_are_named()
    {
        var study = Path.Combine(_folder, "study");
        Directory.CreateDirectory(Path.Combine(study, "important"));
        File.WriteAllText(Path.Combine(study, "important", "data.txt"), "mine");
        var error = Assert.Throws<ForeignContentException>(() => OwnedOutput.CheckReplaceable(study, OutputKind.Maps, overwrite: true));
        Assert.Equal(["important"], error.ForeignEntries);
        Assert.Contains("no maps.json", error.Message);
    }

    [Fact]
    public void A_marked_folder_with_foreign_entries_is_refused_naming_only_those()
    {
        var maps = NewMaps("maps", "notes.txt", "zz.csv");
        var error = Assert.Throws<ForeignContentException>(() => OwnedOutput.CheckReplaceable(maps, OutputKind.Maps, overwrite: true));
        Assert.Equal(["notes.txt", "zz.csv"], error.ForeignEntries);
    }

    [Fact]
    public void Replace_swaps_the_staged_folder_in_and_a_refusal_deletes_nothing()
    {
        var maps = NewMaps("maps");
        var staged = NewMaps(".maps.new.tmp");
        File.WriteAllText(Path.Combine(staged, "information.log"), "new");
        OwnedOutput.Replace(staged, maps, OutputKind.Maps);
        Assert.Equal("new", File.ReadAllText(Path.Combine(maps, "information.log")));
        Assert.False(Directory.Exists(staged));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(_folder), e => Path.GetFileName(e).EndsWith(".tmp", StringComparison.Ordinal));

        File.WriteAllText(Path.Combine(maps, "notes.txt"), "mine");
        var again = NewMaps(".maps.again.tmp");
        Assert.Throws<ForeignContentException>(() => OwnedOutput.Replace(again, maps, OutputKind.Maps));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(maps, "notes.txt")));
        Assert.Equal("new", File.ReadAllText(Path.Combine(maps, "information.log")));
    }

    [Theory]
    [InlineData("split-3", true)]
    [InlineData("groups", true)]
    [InlineData(".maps.0a1b.tmp", true)]
    [InlineData(".maps.lock", true)]
    [InlineData("split", false)]
    [InlineData("data.txt", false)]
    [InlineData("model.pt", false)]
    public void A_maps_consists_of_clinicadl_entries_only(string entry, bool owned) => Assert.Equal(owned, OutputKind.Maps.Owns(entry));
}
