using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;
using ClinicaDL.Core.Datasets;
using ClinicaDL.Core.Generation;
using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Preprocessing;
using ClinicaDL.Core.Runtime;
using ClinicaDL.Core.Selection;
using ClinicaDL.Core.Splits;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.PowerShell;

/// <summary>
/// The one place where an engine failure becomes an ErrorRecord: each failure family (an exception type of Core,
/// or a .NET one) has one ErrorId and one category whatever the cmdlet; wrappers (aggregate, target-invocation)
/// are unwrapped first, and libtorch's native errors lose their C++ stack trace.
/// </summary>
internal static class ErrorMapping
{
    /// <summary>The ErrorRecord for <paramref name="error"/>, with <paramref name="target"/> unless the failure names its own.</summary>
    public static ErrorRecord ToErrorRecord(Exception error, object? target)
    {
        if (RuntimeMissingException.IsTorchLoadFailure(error) && TorchRuntime.Locate() is null)
        {
            // TorchSharp reached for its natives before anything checked for a runtime: say what to install.
            error = RuntimeMissingException.For(TorchRuntime.ModuleDirectory, error);
        }
        error = Unwrap(error);
        if (error is ExternalException native)
        {
            error = new InvalidOperationException($"libtorch refused the operation: {NativeMessage(native)}", native);
        }
        var (id, category) = Classify(error);
        var record = new ErrorRecord(error, id, category, OwnTarget(error) ?? target);
        if (id == ErrorIds.UnexpectedError)
        {
            record.ErrorDetails = new ErrorDetails($"Unexpected failure ({error.GetType().FullName}): {error.Message} " +
                "This is a defect of ClinicaDL, not of your input: please report it with this message and $Error[0].Exception.StackTrace.");
        }
        return record;
    }

    /// <summary>Whether a failure belongs to the engine's work, as opposed to PowerShell's own flow (stops, terminating errors).</summary>
    public static bool IsEngineFailure(Exception error) => error is not (RuntimeException or OperationCanceledException or PipelineStoppedException);

    /// <summary>The failure inside wrappers that only say "something failed in a task/reflection call".</summary>
    public static Exception Unwrap(Exception error)
    {
        while (true)
        {
            switch (error)
            {
                case AggregateException aggregate when aggregate.InnerExceptions.Count > 0:
                    error = aggregate.Flatten().InnerExceptions[0];
                    break;
                case TargetInvocationException { InnerException: { } inner }:
                    error = inner;
                    break;
                case TypeInitializationException { InnerException: { } inner }:
                    error = inner;
                    break;
                default:
                    return error;
            }
        }
    }

    private static (string Id, ErrorCategory Category) Classify(Exception error) => error switch
    {
        ClinicaDL.Core.Conversion.ConversionException conversion => ConversionErrors.Classify(conversion),
        InvalidTableException => (ErrorIds.InvalidTable, ErrorCategory.InvalidData),
        UnusableImageException => (ErrorIds.UnusableImage, ErrorCategory.InvalidData),
        PreprocessingException => (ErrorIds.PreprocessingFailed, ErrorCategory.InvalidResult),
        TemplateException => (ErrorIds.InvalidTemplate, ErrorCategory.InvalidArgument),
        T1wNotFoundException => (ErrorIds.T1wNotFound, ErrorCategory.ObjectNotFound),
        InvalidNiftiException => (ErrorIds.InvalidNiftiFile, ErrorCategory.InvalidData),
        InvalidTensorFileException => (ErrorIds.InvalidTensorFile, ErrorCategory.InvalidData),
        SplitException => (ErrorIds.InvalidSplit, ErrorCategory.InvalidData),
        CapsException => (ErrorIds.InvalidCaps, ErrorCategory.InvalidData),
        SyntheticDataException => (ErrorIds.InvalidInput, ErrorCategory.InvalidArgument),
        DataLeakageException => (ErrorIds.DataLeakage, ErrorCategory.InvalidData),
        MapsNotFoundException => (ErrorIds.MapsNotFound, ErrorCategory.ObjectNotFound),
        DataGroupException => (ErrorIds.InvalidDataGroup, ErrorCategory.InvalidOperation),
        InterpretationException => (ErrorIds.InvalidInterpretation, ErrorCategory.InvalidOperation),
        MapsException => (ErrorIds.InvalidMaps, ErrorCategory.InvalidData),
        ClinicaDL.Core.Networks.NetworkFileException => (ErrorIds.InvalidNetworkFile, ErrorCategory.InvalidData),
        ClinicaDL.Core.Search.SearchSpaceException => (ErrorIds.InvalidSearchSpace, ErrorCategory.InvalidData),
        ClinicaDL.Core.Search.SearchStateException => (ErrorIds.SearchStateMismatch, ErrorCategory.InvalidOperation),
        NotFoundException notFound => (SelectionErrors.ErrorId(notFound.Missing.Kind), ErrorCategory.ObjectNotFound),
        NothingSelectedException => (ErrorIds.NothingSelected, ErrorCategory.InvalidResult),
        NotBidsDatasetException => (ErrorIds.NotBidsDataset, ErrorCategory.InvalidArgument),
        ClinicaDL.Core.Export.ModelExportException => (ErrorIds.ModelNotExportable, ErrorCategory.NotImplemented),
        OutputExistsException => (ErrorIds.OutputExists, ErrorCategory.ResourceExists),
        ForeignContentException => (ErrorIds.ForeignContent, ErrorCategory.PermissionDenied),
        OutputInUseException => (ErrorIds.OutputInUse, ErrorCategory.ResourceBusy),
        ClinicaDL.Core.Cluster.ClusterException => (ErrorIds.SchedulerFailed, ErrorCategory.ResourceUnavailable),
        ClinicaDL.Core.Cluster.PartFailedException => (ErrorIds.JobTaskFailed, ErrorCategory.InvalidResult),
        RuntimeMissingException => (ErrorIds.RuntimeMissing, ErrorCategory.NotInstalled),
        RuntimePackageNotFoundException => (ErrorIds.RuntimePackageNotFound, ErrorCategory.ObjectNotFound),
        TorchRuntimeException => (ErrorIds.TorchUnavailable, ErrorCategory.ResourceUnavailable),
        InvalidOperationException { InnerException: ExternalException } => (ErrorIds.TorchOperationFailed, ErrorCategory.InvalidOperation),
        DirectoryNotFoundException or FileNotFoundException or ItemNotFoundException => (ErrorIds.PathNotFound, ErrorCategory.ObjectNotFound),
        ArgumentException => (ErrorIds.InvalidInput, ErrorCategory.InvalidArgument),
        UnauthorizedAccessException => (ErrorIds.AccessDenied, ErrorCategory.PermissionDenied),
        IOException io when StorageFailure.IsDiskFull(io) => (ErrorIds.DiskFull, ErrorCategory.WriteError),
        IOException => (ErrorIds.FileReadFailed, ErrorCategory.ReadError),
        _ => (ErrorIds.UnexpectedError, ErrorCategory.NotSpecified),
    };

    /// <summary>The object a failure is about, when it names one better than the cmdlet's parameter.</summary>
    private static object? OwnTarget(Exception error) => error switch
    {
        ClinicaDL.Core.Conversion.ConversionException conversion => conversion.Path,
        InvalidNiftiException nifti => nifti.FilePath,
        UnusableImageException unusable => unusable.Path,
        TemplateException template => template.Path,
        T1wNotFoundException missing => missing.Target,
        InvalidTableException { FilePath: { } path } => path,
        DataLeakageException leakage => leakage.Participants.ToArray(),
        MapsNotFoundException maps => maps.Root,
        NotFoundException notFound => notFound.Missing.Name,
        NotBidsDatasetException notBids => notBids.DatasetPath,
        OutputExistsException exists => exists.Path,
        ForeignContentException foreign => foreign.Path,
        OutputInUseException inUse => inUse.Path,
        ClinicaDL.Core.Search.SearchSpaceException space => space.Path,
        ClinicaDL.Core.Search.SearchStateException state => state.Path,
        _ => null,
    };

    /// <summary>libtorch's message without the C++ frames it appends ("Exception raised from ...").</summary>
    private static string NativeMessage(ExternalException error)
    {
        var message = error.Message;
        var frames = message.IndexOf("Exception raised from", StringComparison.Ordinal);
        return (frames > 0 ? message[..frames] : message.Split('\n')[0]).Trim();
    }
}
