using ClinicaDL.Bench;

// Usage: ClinicaDL.Bench <work folder> [benchmark]. Each benchmark prints 'name: value' lines; build.ps1 runs
// each in its own process so that peak-memory figures are the benchmark's own.
var outFolder = Path.GetFullPath(args.Length > 0 ? args[0] : Path.GetTempPath());
var moduleFolder = Path.Combine(outFolder, "ClinicaDL");
System.Runtime.Loader.AssemblyLoadContext.Default.Resolving += (context, name) =>
{
    var candidate = Path.Combine(moduleFolder, name.Name + ".dll");
    return File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
};
var workFolder = Path.Combine(outFolder, "bench");
Directory.CreateDirectory(workFolder);
Action<string> benchmark = (args.Length > 1 ? args[1] : "all") switch
{
    "nifti" => NiftiDecodeBenchmark.Run,
    "synthetic" => SyntheticBenchmark.Run,
    "extraction" => ExtractionBenchmark.Run,
    "training-full" => TrainingBenchmark.Full,
    "training-full-tensors" => TrainingBenchmark.FullFromTensors,
    "training-pipeline" => TrainingBenchmark.PipelineVersusCompute,
    "training-pipeline-augmented" => TrainingBenchmark.PipelineVersusComputeAugmented,
    "training-pipeline-patch" => TrainingBenchmark.PipelineVersusComputePatch,
    "training-memory" => TrainingBenchmark.MemoryGrowth,
    "training-chance" => TrainingBenchmark.Chance,
    "n4" => BiasFieldBenchmark.Run,
    "registration" => RegistrationBenchmark.Run,
    var other => throw new ArgumentException($"Unknown benchmark '{other}'; expected nifti, synthetic, extraction, training-full, training-full-tensors, training-pipeline, training-pipeline-augmented, training-pipeline-patch, training-memory, training-chance, n4 or registration."),
};
benchmark(workFolder);
