using System.Management.Automation;
using ClinicaDL.Core.Selection;

namespace ClinicaDL.PowerShell;

/// <summary>
/// ErrorRecords for filters that named nothing and for filtering that left nothing: one ErrorId per family
/// (MAPS contents, networks, dataset values), so scripts can tell a typo from a broken file.
/// </summary>
internal static class SelectionErrors
{
    public static ErrorRecord NotFound(MissingName missing, object? target = null) => new(
        new ItemNotFoundException(missing.Message), ErrorId(missing.Kind), ErrorCategory.ObjectNotFound, target ?? missing.Name);

    public static ErrorRecord NotFound(NotFoundException error, object? target = null) => new(
        error, ErrorId(error.Missing.Kind), ErrorCategory.ObjectNotFound, target ?? error.Missing.Name);

    public static ErrorRecord NothingSelected(NothingSelectedException error, object? target) =>
        new(error, ErrorIds.NothingSelected, ErrorCategory.InvalidResult, target);

    private static string ErrorId(NotFoundKind kind) => kind switch
    {
        NotFoundKind.Split or NotFoundKind.SelectionMetric or NotFoundKind.DataGroup => ErrorIds.MapsItemNotFound,
        NotFoundKind.Network => ErrorIds.NetworkNotFound,
        _ => ErrorIds.DatasetItemNotFound,
    };
}
