using System.Text.RegularExpressions;

namespace ClinicaDL.Core.Datasets;

/// <summary>
/// The order of a participant's sessions: by month for ClinicaDL's <c>ses-M&lt;months&gt;</c> labels (so
/// ses-M6 comes before ses-M12 even unpadded), otherwise by the label's characters, as ClinicaDL sorts them.
/// </summary>
public static partial class SessionOrder
{
    /// <summary>The month of a <c>ses-M&lt;n&gt;</c> label, or null for other labels.</summary>
    public static int? Month(string sessionId)
    {
        var match = MonthLabel().Match(sessionId);
        return match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    public static int Compare(string? left, string? right)
    {
        if (left is null || right is null)
        {
            return string.CompareOrdinal(left, right);
        }
        var (leftMonth, rightMonth) = (Month(left), Month(right));
        return leftMonth is not null && rightMonth is not null
            ? leftMonth.Value.CompareTo(rightMonth.Value)
            : string.CompareOrdinal(left, right);
    }

    public static IComparer<string?> Comparer { get; } = Comparer<string?>.Create(Compare);

    [GeneratedRegex(@"^ses-M(\d+)$")]
    private static partial Regex MonthLabel();
}
