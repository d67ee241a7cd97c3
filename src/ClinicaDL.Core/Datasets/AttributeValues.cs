using System.Globalization;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Datasets;

/// <summary>Types a table's cells for objects: a column whose every present value is a number becomes doubles.</summary>
public static class AttributeValues
{
    public static bool[] NumericColumns(TsvTable table) =>
        table.Columns.Select((_, column) => table.Rows.Any(r => r[column] is not null)
            && table.Rows.All(r => r[column] is null || double.TryParse(r[column], NumberStyles.Float, CultureInfo.InvariantCulture, out double _))).ToArray();

    public static object? Typed(string? cell, bool numeric) =>
        cell is null ? null : numeric ? double.Parse(cell, NumberStyles.Float, CultureInfo.InvariantCulture) : cell;
}
