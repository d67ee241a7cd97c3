using ClinicaDL.Core.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Training;

/// <summary>
/// ClinicaDL's amp (automatic mixed precision) without autocast, which TorchSharp 0.107 lacks. The network runs as
/// a low-precision twin: convolutions, linear layers and activations in bfloat16 on a CPU (float16 with a
/// <see cref="GradientScaler"/> on CUDA), normalisation layers in float32 as autocast keeps them, the output and
/// so the loss in float32. The optimiser owns the float32 network (the master weights): after each backward pass
/// the twin's gradients are added to the master's in float32, after each step the master's weights are copied
/// into the twin, and after each training forward the twin's normalisation statistics go back to the master, which
/// is what is saved and checkpointed. That is autocast's arithmetic: a weight's gradient is the low-precision
/// gradient widened to float32, and the update is made in float32.
/// </summary>
public sealed class MixedPrecision : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> _twin;
    private readonly (Parameter Master, Parameter Twin)[] _weights;
    private readonly (Tensor Master, Tensor Twin)[] _statistics;

    /// <summary>bfloat16 on a CPU, float16 on CUDA.</summary>
    public ScalarType ComputeType { get; }

    /// <summary>The loss scaling of float16; null for bfloat16, whose range is float32's.</summary>
    public GradientScaler? Scaler { get; }

    private MixedPrecision(nn.Module<Tensor, Tensor> master, nn.Module<Tensor, Tensor> twin, ScalarType computeType) : base(nameof(MixedPrecision))
    {
        _twin = twin;
        ComputeType = computeType;
        Scaler = computeType == ScalarType.Float16 ? new GradientScaler() : null;
        var twinParameters = twin.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        _weights = master.named_parameters().Select(p => (p.parameter, twinParameters[p.name])).ToArray();
        var twinBuffers = twin.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        _statistics = master.named_buffers().Select(b => (b.buffer, twinBuffers[b.name])).ToArray();
        foreach (var (masterParameter, twinParameter) in _weights)
        {
            twinParameter.requires_grad = masterParameter.requires_grad;
        }
        CopyWeights();
        CopyStatistics(toMaster: false);
    }

    /// <summary>The arithmetic of this twin, for a run's log.</summary>
    public string Description => Describe(ComputeType);

    /// <summary>The arithmetic of mixed precision in a low precision, for a run's log and its information.log.</summary>
    public static string Describe(ScalarType computeType) => computeType == ScalarType.Float16
        ? "mixed precision: float16 convolutions, linear layers and activations with loss scaling; float32 normalisation, loss and master weights"
        : "mixed precision: bfloat16 convolutions, linear layers and activations; float32 normalisation, loss and master weights";

    /// <summary>The low precision of a device: float16 on CUDA (autocast's), bfloat16 on a CPU.</summary>
    public static ScalarType ComputeTypeOn(Device device) => device.type == DeviceType.CUDA ? ScalarType.Float16 : ScalarType.BFloat16;

    /// <summary>
    /// Why mixed precision cannot run on a device, or null when it can. On a CPU bfloat16 pays only through oneDNN's
    /// AVX-512 BF16 kernels, and the runtime keeps oneDNN below AVX-512 unless the user raised its ceiling
    /// (<see cref="TorchRuntime.OneDnnIsaCeiling"/>): libtorch 2.10's AVX-512 kernels return wrong values for
    /// 8-channel convolutions, bfloat16 ones as well (measured on 2026-11-28: relative errors up to 0.8 and NaN
    /// against float64, where the AVX2 kernels agree to bfloat16's rounding). Below that ceiling a bfloat16 step runs
    /// without oneDNN, several times slower than float32 (bench amp-step).
    /// </summary>
    public static string? Refusal(Device device)
    {
        if (device.type != DeviceType.CPU)
        {
            return null;
        }
        if (ProcessorFeatures.Bfloat16Refusal() is { } hardware)
        {
            return $"amp (mixed precision) needs bfloat16 arithmetic on a CPU: {hardware}; train without amp";
        }
        if (!Bfloat16Ceilings.Contains(TorchRuntime.OneDnnIsaCeiling))
        {
            return $"amp (mixed precision) on a CPU needs oneDNN's AVX-512 BF16 kernels, and this module keeps oneDNN at " +
                $"{TorchRuntime.OneDnnIsaCeiling} because libtorch {__version__}'s AVX-512 kernels return wrong values for 8-channel " +
                "convolutions (bfloat16 ones too); without them a bfloat16 training step is slower than a float32 one: train without amp, or on a CUDA device";
        }
        return null;
    }

    /// <summary>
    /// Why a network cannot train through a twin, or null when it can: a variational autoencoder's loss needs the
    /// code's mean and log-variance, which the twin's float32 output does not carry, and a TorchScript model's
    /// modules are not this module's to cast.
    /// </summary>
    public static string? Unsupported(nn.Module<Tensor, Tensor> network) => network switch
    {
        Networks.IVariationalAutoEncoder => "amp (mixed precision) is not available for variational autoencoders: their loss needs the code's mean and log-variance, which the low-precision pass does not hand over",
        Networks.TorchScriptNetwork => "amp (mixed precision) is not available for TorchScript models: their layers cannot be cast one by one",
        _ => null,
    };

    /// <summary>The oneDNN ceilings (ONEDNN_MAX_CPU_ISA values) that include its bfloat16 kernels.</summary>
    private static readonly HashSet<string> Bfloat16Ceilings = new(StringComparer.OrdinalIgnoreCase)
    {
        "ALL", "AVX512_CORE_BF16", "AVX512_CORE_FP16", "AVX512_CORE_AMX", "AVX512_CORE_AMX_FP16",
        "AVX10_1_512", "AVX10_1_512_AMX", "AVX10_1_512_AMX_FP16", "AVX10_2_512", "AVX10_2_512_AMX_2", "AVX2_VNNI_2",
    };

    /// <summary>
    /// The twin of <paramref name="master"/> (already on <paramref name="device"/>), built by
    /// <paramref name="newNetwork"/>, which must give a network of the same names and shapes.
    /// </summary>
    public static MixedPrecision Create(nn.Module<Tensor, Tensor> master, Func<nn.Module<Tensor, Tensor>> newNetwork, Device device)
    {
        if (Refusal(device) is { } refusal)
        {
            throw new ArgumentException(refusal + ".");
        }
        return Create(master, newNetwork, device, ComputeTypeOn(device));
    }

    /// <summary>The same in a given low precision, whatever the device (the tests run float16 on a CPU).</summary>
    internal static MixedPrecision Create(nn.Module<Tensor, Tensor> master, Func<nn.Module<Tensor, Tensor>> newNetwork, Device device, ScalarType computeType)
    {
        // Building draws initial weights from torch's generator; they are overwritten by the master's, and the
        // generator is put back so that the run draws after this what it would draw without amp.
        nn.Module<Tensor, Tensor> twin;
        using (var generator = random.get_rng_state())
        {
            twin = newNetwork();
            random.set_rng_state(generator);
        }
        twin.to(device);
        foreach (var (_, module) in twin.named_modules())
        {
            if (!module.children().Any() && !IsNormalisation(module))
            {
                module.to(computeType);
            }
        }
        return new MixedPrecision(master, twin, computeType);
    }

    /// <summary>The low-precision network that runs the passes.</summary>
    internal nn.Module<Tensor, Tensor> Twin => _twin;

    public override Tensor forward(Tensor input)
    {
        _twin.train(training);
        using var low = input.to(ComputeType);
        using var output = _twin.forward(low);
        if (training)
        {
            CopyStatistics(toMaster: true);
        }
        return output.to(ScalarType.Float32);
    }

    /// <summary>The backward pass of a float32 loss, its gradients added to the master's in float32.</summary>
    public void Backward(Tensor loss)
    {
        if (Scaler is null)
        {
            loss.backward();
        }
        else
        {
            using var scale = Scaler.Scale.ToScalar();
            using var scaled = loss.mul(scale);
            scaled.backward();
        }
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var unscale = (1.0 / (Scaler?.Scale ?? 1.0)).ToScalar();
        foreach (var (master, twin) in _weights)
        {
            var gradient = twin.grad;
            if (gradient is null)
            {
                continue;
            }
            // A copy even where the twin keeps float32 (normalisation): its gradient is zeroed below.
            var widened = gradient.to(ScalarType.Float32, copy: true);
            if (Scaler is not null)
            {
                widened.mul_(unscale);
            }
            if (master.grad is { } existing)
            {
                existing.PlusInPlace(widened);
            }
            else
            {
                master.grad = widened;
            }
            gradient.zero_();
        }
    }

    /// <summary>
    /// The optimiser's step on the master weights, then copied into the twin; with loss scaling a step whose
    /// gradients overflowed is skipped (false), as PyTorch's GradScaler does.
    /// </summary>
    public bool Step(optim.Optimizer optimizer)
    {
        if (Scaler is not null && !Scaler.Update(MasterGradientsFinite()))
        {
            return false;
        }
        optimizer.step();
        CopyWeights();
        return true;
    }

    private bool MasterGradientsFinite()
    {
        using var scope = NewDisposeScope();
        return _weights.All(p => p.Master.grad is not { } gradient || isfinite(gradient).all().item<bool>());
    }

    private void CopyWeights()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (master, twin) in _weights)
        {
            twin.copy_(master);
        }
    }

    private void CopyStatistics(bool toMaster)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (master, twin) in _statistics)
        {
            (toMaster ? master : twin).copy_(toMaster ? twin : master);
        }
    }

    private static bool IsNormalisation(nn.Module module) => module is NormBase or GroupNorm or LayerNorm;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _twin.Dispose();
        }
        base.Dispose(disposing);
    }
}
