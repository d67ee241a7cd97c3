using ClinicaDL.Bench;

// Usage: ClinicaDL.Bench <work folder>. Each benchmark prints its figures as 'name: value' lines.
var workFolder = Path.Combine(args.Length > 0 ? args[0] : Path.GetTempPath(), "bench");
Directory.CreateDirectory(workFolder);
NiftiDecodeBenchmark.Run(workFolder);
SyntheticBenchmark.Run(workFolder);
