using ClinicaDL.Bench;

// Usage: ClinicaDL.Bench <out folder> <benchmark> | ClinicaDL.Bench list
// The benchmarks are named here and nowhere else: build.ps1 asks for them with 'list' and runs each in a process
// of its own, so that peak-memory figures are the benchmark's own. Each benchmark prints 'name: value' lines.
var benchmarks = new OrderedDictionary<string, Action<string>>(StringComparer.Ordinal)
{
    ["nifti"] = NiftiDecodeBenchmark.Run,
    ["synthetic"] = SyntheticBenchmark.Run,
    ["extraction"] = ExtractionBenchmark.Run,
    ["training-full"] = TrainingBenchmark.Full,
    ["training-full-tensors"] = TrainingBenchmark.FullFromTensors,
    ["training-pipeline"] = TrainingBenchmark.PipelineVersusCompute,
    ["training-pipeline-augmented"] = TrainingBenchmark.PipelineVersusComputeAugmented,
    ["training-pipeline-patch"] = TrainingBenchmark.PipelineVersusComputePatch,
    ["training-memory"] = TrainingBenchmark.MemoryGrowth,
    ["training-chance"] = TrainingBenchmark.Chance,
    ["amp-step"] = MixedPrecisionBenchmark.Run,
    ["n4"] = BiasFieldBenchmark.Run,
    ["registration"] = RegistrationBenchmark.Run,
};

if (args is ["list"])
{
    foreach (var name in benchmarks.Keys)
    {
        Console.WriteLine(name);
    }
    return 0;
}
if (args.Length != 2)
{
    Console.Error.WriteLine($"Usage: ClinicaDL.Bench <out folder> <benchmark>, or ClinicaDL.Bench list. Benchmarks: {string.Join(", ", benchmarks.Keys)}.");
    return 2;
}
if (!benchmarks.TryGetValue(args[1], out var benchmark))
{
    Console.Error.WriteLine($"Unknown benchmark '{args[1]}'; expected one of: {string.Join(", ", benchmarks.Keys)}.");
    return 2;
}

// The engine's dependencies (TorchSharp and its natives, with the libstdc++ compatibility step) are loaded from
// the built module folder <out folder>/ClinicaDL, as the module itself loads them.
var outFolder = Path.GetFullPath(args[0]);
var moduleFolder = Path.Combine(outFolder, "ClinicaDL");
System.Runtime.Loader.AssemblyLoadContext.Default.Resolving += (context, name) =>
{
    var candidate = Path.Combine(moduleFolder, name.Name + ".dll");
    return File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
};
ClinicaDL.Core.Runtime.TorchRuntime.UseModuleFolder(moduleFolder);
var workFolder = Path.Combine(outFolder, "bench");
Directory.CreateDirectory(workFolder);
benchmark(workFolder);
return 0;
