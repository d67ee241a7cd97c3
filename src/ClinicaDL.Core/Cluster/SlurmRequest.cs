namespace ClinicaDL.Core.Cluster;

/// <summary>
/// What each task of an array job asks SLURM for, as sbatch's options: partition, time limit, cores, memory, GPUs,
/// account, and any other sbatch option given whole (e.g. "--qos=qos_gpu-t3", "--constraint=v100-32g").
/// </summary>
public sealed record SlurmRequest
{
    public string? Partition { get; init; }

    /// <summary>sbatch's --time: minutes, or "[days-]hours:minutes:seconds".</summary>
    public string? TimeLimit { get; init; }

    /// <summary>Cores per task (--cpus-per-task); each task's torch threads, unless the training sets its own.</summary>
    public int CpusPerTask { get; init; } = 1;

    /// <summary>sbatch's --mem: memory per task, e.g. "8G".</summary>
    public string? MemoryPerTask { get; init; }

    /// <summary>GPUs per task (--gres=gpu:N); 0 for none.</summary>
    public int Gpus { get; init; }
    public string? Account { get; init; }

    /// <summary>Further sbatch options, each written as one #SBATCH line.</summary>
    public IReadOnlyList<string> Options { get; init; } = [];

    /// <summary>The #SBATCH options, checked: a value holding a line break would end the directive and start a command.</summary>
    public IReadOnlyList<string> Directives()
    {
        var directives = new List<string>();
        void Add(string option, string? value)
        {
            if (value is null)
            {
                return;
            }
            if (value.Length == 0 || value.IndexOfAny(['\n', '\r']) >= 0)
            {
                throw new ArgumentException($"The SLURM option {option} '{value}' must be one non-empty line.");
            }
            directives.Add($"{option}={value}");
        }
        if (CpusPerTask < 1)
        {
            throw new ArgumentException($"-CpusPerTask is {CpusPerTask}: a task needs at least one core.");
        }
        if (Gpus < 0)
        {
            throw new ArgumentException($"-Gpus is {Gpus}: give 0 or more GPUs per task.");
        }
        Add("--partition", Partition);
        Add("--time", TimeLimit);
        Add("--cpus-per-task", CpusPerTask.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("--mem", MemoryPerTask);
        Add("--gres", Gpus > 0 ? $"gpu:{Gpus}" : null);
        Add("--account", Account);
        foreach (var option in Options)
        {
            if (!option.StartsWith('-') || option.IndexOfAny(['\n', '\r']) >= 0)
            {
                throw new ArgumentException($"The sbatch option '{option}' must be one line starting with '-' (as '--qos=normal').");
            }
            directives.Add(option);
        }
        return directives;
    }
}
