using ClinicaDL.Core.Selection;
using ClinicaDL.Core.Splits;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Training;

/// <summary>One split's training and validation tables, read from a split or k-fold folder as ClinicaDL reads them.</summary>
public sealed record SplitDefinition(int Index, string Folder, TsvTable Train, TsvTable Validation)
{
    /// <summary>
    /// A k-fold folder (split-0, split-1... inside) or a single split folder (train.tsv, validation_baseline.tsv).
    /// train_baseline.tsv with -Baseline; validation.tsv with -ValidLongitudinal.
    /// </summary>
    public static IReadOnlyList<SplitDefinition> Read(string tsvPath, TrainingConfig config)
    {
        if (!Directory.Exists(tsvPath))
        {
            throw new DirectoryNotFoundException($"The split folder '{tsvPath}' does not exist.");
        }
        var folds = SplitFolderName.In(tsvPath).Select(f => (f.Path, Index: f.Split)).ToList();
        var folders = folds.Count > 0 ? folds : [(tsvPath, 0)];
        var wanted = config.Split.Count > 0 ? config.Split : folders.Select(f => f.Index).ToList();
        var unknown = wanted.Where(w => folders.All(f => f.Index != w)).ToList();
        if (unknown.Count > 0)
        {
            throw new NotFoundException(new MissingName(NotFoundKind.Split, string.Join(", ", unknown), $"The split folder '{tsvPath}'",
                folders.Select(f => f.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList()));
        }
        return folders.Where(f => wanted.Contains(f.Index)).Select(f => new SplitDefinition(f.Index, Path.GetFullPath(f.Path),
            Read(f.Path, TrainFile(config)), Read(f.Path, ValidationFile(config)))).ToList();
    }

    /// <summary>The file of a split folder the training set comes from.</summary>
    public static string TrainFile(TrainingConfig config) => config.Baseline ? "train_baseline.tsv" : "train.tsv";

    /// <summary>The file of a split folder the validation set comes from.</summary>
    public static string ValidationFile(TrainingConfig config) => config.ValidLongitudinal ? "validation.tsv" : "validation_baseline.tsv";

    private static TsvTable Read(string folder, string file)
    {
        var path = Path.Combine(folder, file);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"'{folder}' has no {file}: a training folder is a split (train.tsv, validation_baseline.tsv) or a k-fold folder (split-<i>/...).", path);
        }
        return TsvTable.Read(path);
    }
}
