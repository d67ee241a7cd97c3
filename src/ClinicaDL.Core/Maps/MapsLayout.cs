using ClinicaDL.Core.Splits;

namespace ClinicaDL.Core.Maps;

/// <summary>The paths of a MAPS folder, as ClinicaDL lays it out; a split's own folder is its <see cref="SplitLayout"/>.</summary>
public sealed class MapsLayout(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    public string MapsJson => Path.Combine(Root, "maps.json");
    public string Environment => Path.Combine(Root, "environment.txt");
    public string InformationLog => Path.Combine(Root, "information.log");
    public string Groups => Path.Combine(Root, "groups");
    public string TrainValidation => Path.Combine(Groups, "train+validation.tsv");

    /// <summary>Where Export-MapsReport writes by default.</summary>
    public string Report => Path.Combine(Root, "report");

    /// <summary>
    /// The copy of a network file or TorchScript archive the MAPS was trained with (architecture.psd1, .json, .pt or .ts), named by maps.json's
    /// "architecture", so that the MAPS rebuilds its network on any machine.
    /// </summary>
    public string NetworkFile(string extension) => Path.Combine(Root, Networks.NetworkFile.MapsCopyName + extension.ToLowerInvariant());

    public string Group(string group) => Path.Combine(Groups, group);

    /// <summary>A data group's definition: its maps.json (CAPS, TSV, any leakage override) and data.tsv.</summary>
    public string GroupDescription(string group) => Path.Combine(Group(group), "maps.json");
    public string GroupData(string group) => Path.Combine(Group(group), "data.tsv");

    /// <summary>The train and validation groups are defined per split (groups/train/split-k/).</summary>
    public string GroupSplit(string group, int split) => Path.Combine(Groups, group, SplitFolderName.Of(split));

    public SplitLayout Split(int split) => new(Root, split);

    /// <summary>The split numbers present (split-0, split-1...).</summary>
    public IReadOnlyList<int> Splits() => SplitFolderName.In(Root).Select(f => f.Split).ToList();

    /// <summary>The data groups defined in groups/ (train and validation included), by name.</summary>
    public IReadOnlyList<string> DataGroups() => Directory.Exists(Groups)
        ? Directory.EnumerateDirectories(Groups).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList()
        : [];
}
