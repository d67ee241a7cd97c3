using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using TorchSharp;

namespace ClinicaDL.Core.Runtime;

/// <summary>
/// Loads libtorch once per process from the runtime <see cref="RuntimeLocation.Find(string)"/> picks (the module folder of
/// a source build, or a runtime folder written by Install-ClinicaDLRuntime), after the libstdc++ compatibility
/// library when the runtime has one, resolves device names, and sets the number of threads each OS thread's
/// libtorch operations use.
/// </summary>
public static class TorchRuntime
{
    private const int RtldNow = 0x2;
    private const int RtldGlobal = 0x100;

    /// <summary>libtorch's switch for 2 MB-aligned CPU allocations advised as transparent huge pages (Linux).</summary>
    public const string TransparentHugePagesVariable = "THP_MEM_ALLOC_ENABLE";

    /// <summary>oneDNN's ceiling on the instruction set its kernels use.</summary>
    public const string OneDnnIsaVariable = "ONEDNN_MAX_CPU_ISA";

    /// <summary>The module's oneDNN ceiling where the user set none (see <see cref="EnsureLoaded"/> for why).</summary>
    public const string DefaultOneDnnIsa = "AVX2";

    private const int MallocMmapThreshold = -3;

    private static readonly Lock Gate = new();
    private static bool _loaded;

    /// <summary>
    /// libtorch's intra-op thread count when this process loaded it (OMP_NUM_THREADS or MKL_NUM_THREADS when set,
    /// otherwise one per physical core): the count of a run that asks for 0.
    /// </summary>
    public static int DefaultThreads { get; private set; }

    /// <summary>Whether the compatibility library for an older libstdc++ was loaded (see <see cref="LibStdCxxCompatibility"/>).</summary>
    public static bool CompatibilityActive { get; private set; }

    /// <summary>
    /// The instruction-set ceiling of this process' oneDNN kernels: the user's ONEDNN_MAX_CPU_ISA (or
    /// DNNL_MAX_CPU_ISA), else <see cref="DefaultOneDnnIsa"/>.
    /// </summary>
    public static string OneDnnIsaCeiling { get; private set; } = DefaultOneDnnIsa;

    private static bool _resolverRegistered;

    /// <summary>The folder holding TorchSharp.dll: the module folder.</summary>
    public static string ModuleDirectory => Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? AppContext.BaseDirectory;

    /// <summary>Whether libtorch is loaded in this process.</summary>
    public static bool IsLoaded => _loaded;

    /// <summary>The runtime this process loads libtorch from, once <see cref="Locate"/> found one.</summary>
    public static RuntimeLocation? Location { get; private set; }

    /// <summary>The folder of the native libraries: the runtime's, or the module folder while none is found.</summary>
    public static string NativeDirectory => Location?.Directory ?? ModuleDirectory;

    /// <summary>
    /// Finds the runtime (once one is found it stays: a process loads libtorch once) and, for an installed one, lets
    /// TorchSharp's native loads ("LibTorchSharp", "torch_cpu"...) resolve to its folder. Loads nothing itself: safe
    /// at module import on a machine without a runtime. Returns the runtime, or null.
    /// </summary>
    public static RuntimeLocation? Locate()
    {
        lock (Gate)
        {
            Location ??= RuntimeLocation.Find(ModuleDirectory);
            if (Location is { Origin: RuntimeOrigin.Installed } && !_resolverRegistered)
            {
                AssemblyLoadContext.Default.ResolvingUnmanagedDll += ResolveFromRuntime;
                _resolverRegistered = true;
            }
            return Location;
        }
    }

    /// <summary>
    /// For a program that is not the module (the tests, the benchmarks): libtorch comes from a built module folder,
    /// whose natives the program may already have loaded. Has no effect once a runtime was located.
    /// </summary>
    public static void UseModuleFolder(string folder)
    {
        lock (Gate)
        {
            Location ??= new RuntimeLocation(folder, RuntimeOrigin.ModuleFolder, RuntimeDevice.Cpu);
        }
    }

    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_loaded)
            {
                return;
            }
            if (Locate() is null)
            {
                throw RuntimeMissingException.For(ModuleDirectory);
            }
            var shim = Path.Combine(NativeDirectory, LibStdCxxCompatibility.ShimFileName);
            if (OperatingSystem.IsLinux() && File.Exists(shim))
            {
                // Global, so that libLibTorchSharp.so's unversioned std::ios_base_library_init binds to it.
                if (DlOpen(shim, RtldNow | RtldGlobal) == IntPtr.Zero)
                {
                    throw new TorchRuntimeException($"The libstdc++ compatibility library '{shim}' could not be loaded. {RepairAdvice(Location)}");
                }
                CompatibilityActive = true;
            }
            if (OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable(TransparentHugePagesVariable) is null)
            {
                // libtorch frees and re-allocates every activation at every step; a full-size 3D batch is hundreds of
                // MB per layer, so with 4 KB pages the kernel spends more time faulting and zeroing pages than the
                // network spends computing (measured: 6.8 s against 4.2 s per Conv5_FC3 step at 169x208x179).
                // libtorch reads this variable once, at its first allocation, through the C environment, which
                // Environment.SetEnvironmentVariable does not write on Unix.
                LibC.setenv(TransparentHugePagesVariable, "1", 0);
            }
            var userCeiling = Environment.GetEnvironmentVariable(OneDnnIsaVariable) ?? Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA");
            OneDnnIsaCeiling = userCeiling ?? DefaultOneDnnIsa;
            if (userCeiling is null)
            {
                // libtorch 2.10's oneDNN AVX-512 kernels return wrong float32 values, intermittently (off by a third of
                // the values' range, or NaN), for conv3d backward-data with 8 output channels and conv_transpose3d
                // with 8 input channels: the autoencoders' last layer and saliency gradients. Its AVX2 kernels are
                // exact. oneDNN reads the variable once, through the C environment, at its first primitive.
                SetNativeEnvironment(OneDnnIsaVariable, DefaultOneDnnIsa);
            }
            if (OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is null)
            {
                // glibc raises its mmap threshold each time a large block is freed (up to 32 MB), after which blocks
                // of that size come from its heaps and stay resident once freed; with training's many tens-of-MB
                // activations that kept about 0.3 GB more at the peak (3.25 against 2.97 GB at full size, same speed).
                // A fixed threshold stops that adaptation. Not glibc (musl): no mallopt, nothing to do.
                try
                {
                    LibC.mallopt(MallocMmapThreshold, 4 << 20);
                }
                catch (EntryPointNotFoundException)
                {
                }
            }
            if (Location is { Origin: RuntimeOrigin.Installed } installed)
            {
                PreloadInstalled(installed);
            }
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
                if (Location?.Device == RuntimeDevice.Cuda)
                {
                    // TorchSharp's CUDA start-up (on Windows it loads the CUDA libraries first); without a visible GPU it
                    // declines, and CUDA requests are then refused by ResolveDevice.
                    torch.TryInitializeDeviceType(DeviceType.CUDA);
                }
                // Read before anything here sets a count: this thread's first query takes libtorch's default.
                DefaultThreads = torch.get_num_threads();
            }
            catch (Exception error) when (error is not TorchRuntimeException)
            {
                throw new TorchRuntimeException(
                    $"libtorch could not be loaded from '{NativeDirectory}': {error.Message} {RepairAdvice(Location)}", error);
            }
            _loaded = true;
        }
    }

    /// <summary>
    /// What to do about a runtime that does not load: an installed one is reinstalled (its files came from the
    /// installer, not from the module's build); the natives of a source build come from build.ps1.
    /// </summary>
    internal static string RepairAdvice(RuntimeLocation? location) => location is { Origin: RuntimeOrigin.Installed }
        ? $"Reinstall the runtime (Install-ClinicaDLRuntime -Device {location.Device} -Force)."
        : "The module folder must hold the libtorch natives that build.ps1 copies there; on Linux with a libstdc++ older than GCC 13's, " +
          "build.ps1 also prepares a compatibility library (it needs g++): rebuild the module with build.ps1.";

    /// <summary>
    /// Loads an installed runtime's libraries by full path before TorchSharp asks for them by name: a name is first
    /// looked up on the system's library path, where another libtorch may be (Debian's python3-torch has a
    /// libtorch_cpu.so of another version, whose missing symbols then fail TorchSharp's library). Once loaded, a
    /// library answers to its name.
    /// </summary>
    private static void PreloadInstalled(RuntimeLocation installed)
    {
        var runtimeIdentifier = RuntimePackages.CurrentRuntimeIdentifier();
        var torchLibrary = installed.Device == RuntimeDevice.Cuda ? "torch_cuda" : "torch_cpu";
        foreach (var name in new[] { "c10", torchLibrary, "torch", "LibTorchSharp" })
        {
            var path = Path.Combine(installed.Directory, RuntimeSelection.NativeFileName(runtimeIdentifier, name));
            if (!File.Exists(path))
            {
                continue;
            }
            try
            {
                NativeLibrary.Load(path);
            }
            catch (DllNotFoundException error)
            {
                throw new TorchRuntimeException($"libtorch could not be loaded from '{installed.Directory}': {error.Message} " +
                    RepairAdvice(installed), error);
            }
        }
    }

    /// <summary>TorchSharp loads its natives by bare name, which .NET looks for next to TorchSharp.dll; an installed runtime is elsewhere.</summary>
    private static IntPtr ResolveFromRuntime(Assembly assembly, string name)
    {
        if (assembly != typeof(torch).Assembly || Location is not { Origin: RuntimeOrigin.Installed } location)
        {
            return IntPtr.Zero;
        }
        var runtimeIdentifier = RuntimePackages.CurrentRuntimeIdentifier();
        foreach (var file in new[] { name, RuntimeSelection.NativeFileName(runtimeIdentifier, name) })
        {
            var path = Path.Combine(location.Directory, file);
            if (File.Exists(path))
            {
                return NativeLibrary.Load(path);
            }
        }
        return IntPtr.Zero;
    }

    /// <summary>Turns "cpu", "cuda" or "cuda:N" into a device, refusing CUDA clearly where this build has none.</summary>
    public static torch.Device ResolveDevice(string name)
    {
        EnsureLoaded();
        var normalized = name.Trim().ToLowerInvariant();
        if (normalized == "cpu")
        {
            return torch.CPU;
        }
        if (normalized == "cuda" || normalized.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!torch.cuda.is_available())
            {
                throw new TorchRuntimeException(
                    $"Device '{name}' was asked for, but CUDA is not available: the runtime loaded is {(Location?.Device == RuntimeDevice.Cuda ? "CUDA libtorch, but no GPU is visible" : "CPU libtorch")}." +
                    " Use -Device cpu, or on a machine with an NVIDIA GPU install the CUDA runtime: Install-ClinicaDLRuntime -Device Cuda.");
            }
            return torch.device(normalized);
        }
        throw new TorchRuntimeException($"Unknown device '{name}'; expected cpu, cuda or cuda:N.");
    }

    /// <summary>The threads of a run that asks for <paramref name="threads"/>: that many, or <see cref="DefaultThreads"/> for 0.</summary>
    public static int ResolveThreads(int threads)
    {
        EnsureLoaded();
        return threads > 0 ? threads : DefaultThreads;
    }

    /// <summary>
    /// Makes the calling OS thread's libtorch operations use <paramref name="threads"/> intra-op threads until the
    /// returned scope is disposed (on this same thread), then the count it had before. Every thread that runs
    /// libtorch operations for a run (training, evaluation, prediction, interpretation, batch preparation,
    /// decoding) sets the run's count this way first, because libtorch does not keep one count per process: its
    /// OpenMP and MKL settings live in each OS thread, and a thread's first operation takes whatever count was
    /// last set anywhere. A pool thread that once worked for a -Threads 1 run computed with 1 thread ever after,
    /// and which pool thread picks up the next run is up to the scheduler, so the machine's load decided. The
    /// count decides how convolution gradients, matrix products and sums are split between threads, so the same
    /// run trained to other float32 bits (a loss of 0.7022588650 instead of 0.7022589445).
    /// </summary>
    public static IDisposable UseThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        EnsureLoaded();
        var before = torch.get_num_threads();
        torch.set_num_threads(threads);
        return new ThreadCount(before);
    }

    private sealed class ThreadCount(int before) : IDisposable
    {
        public void Dispose() => torch.set_num_threads(before);
    }

    /// <summary>Sets a variable where native libraries read it: .NET's environment is not the C one on Unix.</summary>
    private static void SetNativeEnvironment(string name, string value)
    {
        if (OperatingSystem.IsLinux())
        {
            LibC.setenv(name, value, 0);
        }
        else
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    private static IntPtr DlOpen(string path, int flags)
    {
        // glibc 2.34+ has dlopen in libc; older ones in libdl.
        try
        {
            return LibC.dlopen(path, flags);
        }
        catch (EntryPointNotFoundException)
        {
            return LibDl.dlopen(path, flags);
        }
    }

    private static partial class LibC
    {
        [DllImport("libc.so.6", CharSet = CharSet.Ansi, BestFitMapping = false)]
        public static extern IntPtr dlopen(string path, int flags);

        [DllImport("libc.so.6", CharSet = CharSet.Ansi, BestFitMapping = false)]
        public static extern int setenv(string name, string value, int overwrite);

        [DllImport("libc.so.6")]
        public static extern int mallopt(int parameter, int value);
    }

    private static partial class LibDl
    {
        [DllImport("libdl.so.2", CharSet = CharSet.Ansi, BestFitMapping = false)]
        public static extern IntPtr dlopen(string path, int flags);
    }
}
