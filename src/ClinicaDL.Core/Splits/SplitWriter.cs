using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Splits;

/// <summary>
/// Makes and writes splits with ClinicaDL's folder and file names, columns and row order (sorted by participant
/// and session). A whole split folder is written beside its final place and renamed into it, so an error leaves
/// no half-written folder and an earlier split is never touched.
/// </summary>
public static class SplitWriter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The folder a new split would get: <c>split</c>, else <c>split_2</c>, <c>split_3</c>...</summary>
    public static string NextFolder(string parent, string baseName)
    {
        var candidate = Path.Combine(parent, baseName);
        for (var n = 2; Directory.Exists(candidate) || File.Exists(candidate); n++)
        {
            candidate = Path.Combine(parent, $"{baseName}_{n}");
        }
        return candidate;
    }

    /// <summary>Plans a hold-out split; <paramref name="write"/> false only computes it (for -WhatIf).</summary>
    public static SplitSet HoldOut(TsvTable labels, string parent, HoldOutOptions options, bool write = true)
    {
        var table = ParticipantTable.Build(labels, options.Stratification, !options.IgnoreDemographics);
        var plan = HoldOutSplitter.Plan(table, options);
        var folder = NextFolder(Path.GetFullPath(parent), "split");
        var json = new JsonObject
        {
            ["n_test"] = options.TestSize >= 1 ? JsonValue.Create((int)options.TestSize) : JsonValue.Create(options.TestSize),
            ["subset_name"] = options.SubsetName,
            ["p_age_threshold"] = options.PAgeThreshold,
            ["p_sex_threshold"] = options.PSexThreshold,
            ["categorical_split_variable"] = options.Stratification,
            ["ignore_demographics"] = options.IgnoreDemographics,
            ["mullti_diagnoses"] = false,
            ["seed"] = options.Seed,
            ["max_attempts"] = options.MaxAttempts,
            ["attempts"] = plan.Attempts,
            ["p_age"] = double.IsNaN(plan.PAge) ? null : plan.PAge,
            ["p_sex"] = double.IsNaN(plan.PSex) ? null : plan.PSex,
        };
        var files = SideFiles(table, plan.Subset, options.SubsetName, options.ValidLongitudinal, writeSubset: plan.Subset.Count > 0);
        files["split.json"] = json.ToJsonString(Indented) + "\n";
        if (write)
        {
            WriteFolder(folder, files);
        }
        return Describe(table, plan.Subset, Path.GetFileName(folder), folder, "HoldOut", null, options.SubsetName, options.Seed, plan.PAge, plan.PSex, options.ValidLongitudinal);
    }

    /// <summary>Plans a k-fold split; <paramref name="write"/> false only computes it (for -WhatIf).</summary>
    public static IReadOnlyList<SplitSet> KFold(TsvTable labels, string parent, KFoldOptions options, bool write = true)
    {
        var table = ParticipantTable.Build(labels, options.Stratification, demographics: false);
        var folds = KFoldSplitter.Plan(table, options);
        var folder = NextFolder(Path.GetFullPath(parent), $"{options.Folds}_fold");
        var files = new Dictionary<string, string>
        {
            ["kfold.json"] = new JsonObject
            {
                ["n_splits"] = options.Folds,
                ["subset_name"] = options.SubsetName,
                ["stratification"] = options.Stratification,
                ["seed"] = options.Seed,
            }.ToJsonString(Indented) + "\n",
        };
        var sets = new List<SplitSet>();
        for (var index = 0; index < folds.Count; index++)
        {
            foreach (var (name, content) in SideFiles(table, folds[index], options.SubsetName, options.ValidLongitudinal, writeSubset: true))
            {
                files[$"{SplitFolderName.Of(index)}/{name}"] = content;
            }
            sets.Add(Describe(table, folds[index], $"{Path.GetFileName(folder)}/{SplitFolderName.Of(index)}", Path.Combine(folder, SplitFolderName.Of(index)),
                "KFold", index, options.SubsetName, options.Seed, double.NaN, double.NaN, options.ValidLongitudinal));
        }
        if (write)
        {
            WriteFolder(folder, files);
        }
        return sets;
    }

    /// <summary>train.tsv, train_baseline.tsv, &lt;subset&gt;_baseline.tsv and, if asked, &lt;subset&gt;.tsv.</summary>
    private static Dictionary<string, string> SideFiles(ParticipantTable table, IReadOnlySet<string> subset, string subsetName, bool longitudinal, bool writeSubset)
    {
        var train = table.Participants.Where(p => !subset.Contains(p.Id)).ToList();
        var held = table.Participants.Where(p => subset.Contains(p.Id)).ToList();
        var files = new Dictionary<string, string>
        {
            ["train.tsv"] = Text(table.Table, train.SelectMany(p => p.Sessions)),
            ["train_baseline.tsv"] = Text(table.Table, train.Select(p => p.Sessions[0])),
        };
        if (writeSubset)
        {
            files[$"{subsetName}_baseline.tsv"] = Text(table.Table, held.Select(p => p.Sessions[0]));
            if (longitudinal)
            {
                files[$"{subsetName}.tsv"] = Text(table.Table, held.SelectMany(p => p.Sessions));
            }
        }
        return files;
    }

    private static SplitSet Describe(ParticipantTable table, IReadOnlySet<string> subset, string name, string path, string kind, int? index,
        string subsetName, int seed, double pAge, double pSex, bool longitudinal)
    {
        var held = table.Participants.Where(p => subset.Contains(p.Id)).ToList();
        var train = table.Participants.Where(p => !subset.Contains(p.Id)).ToList();
        return new SplitSet
        {
            Name = name,
            Path = path,
            Kind = kind,
            Index = index,
            SubsetName = subsetName,
            TrainParticipants = train.Count,
            TrainSessions = train.Sum(p => p.Sessions.Count),
            SubsetParticipants = held.Count,
            // The subset files hold baseline sessions only, unless -ValidLongitudinal adds <subset>.tsv.
            SubsetSessions = longitudinal ? held.Sum(p => p.Sessions.Count) : held.Count,
            PAge = pAge,
            PSex = pSex,
            Seed = seed,
        };
    }

    private static string Text(TsvTable template, IEnumerable<string?[]> rows)
    {
        using var writer = new StringWriter();
        template.WithRows(rows).WriteTo(writer);
        return writer.ToString();
    }

    private static void WriteFolder(string folder, Dictionary<string, string> files)
    {
        var parent = Path.GetDirectoryName(folder)!;
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(folder)}.{Guid.NewGuid():N}.tmp");
        try
        {
            foreach (var (name, content) in files)
            {
                var path = Path.Combine(staging, name);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, content);
            }
            Directory.Move(staging, folder);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }
}
