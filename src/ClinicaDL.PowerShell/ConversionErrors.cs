using System.Management.Automation;
using ClinicaDL.Core.Conversion;

namespace ClinicaDL.PowerShell;

/// <summary>The ErrorId and category of each conversion failure (the ids are the failure names, listed in <see cref="ErrorIds"/>).</summary>
internal static class ConversionErrors
{
    public static (string Id, ErrorCategory Category) Classify(ConversionException error) => (error.Failure.ToString(), error.Failure switch
    {
        ConversionFailure.Dcm2niixNotFound => ErrorCategory.ObjectNotFound,
        ConversionFailure.NoDicomFound => ErrorCategory.ObjectNotFound,
        ConversionFailure.InvalidConversionRules or ConversionFailure.OutputInsideInput => ErrorCategory.InvalidArgument,
        _ => ErrorCategory.InvalidData,
    });
}
