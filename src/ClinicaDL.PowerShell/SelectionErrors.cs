using System.Management.Automation;
using ClinicaDL.Core.Selection;

namespace ClinicaDL.PowerShell;

/// <summary>
/// ErrorRecords for filter values that name nothing, reported one by one without an exception: one ErrorId per
/// family (MAPS contents, networks, dataset values), so scripts can tell a typo from a broken file.
/// </summary>
internal static class SelectionErrors
{
    public static ErrorRecord NotFound(MissingName missing, object? target = null) => new(
        new ItemNotFoundException(missing.Message), ErrorId(missing.Kind), ErrorCategory.ObjectNotFound, target ?? missing.Name);

    /// <summary>The ErrorId of a family of names (also what <see cref="ErrorMapping"/> gives a <see cref="NotFoundException"/>).</summary>
    public static string ErrorId(NotFoundKind kind) => kind switch
    {
        NotFoundKind.Split or NotFoundKind.SelectionMetric or NotFoundKind.DataGroup => ErrorIds.MapsItemNotFound,
        NotFoundKind.Network => ErrorIds.NetworkNotFound,
        _ => ErrorIds.DatasetItemNotFound,
    };
}
