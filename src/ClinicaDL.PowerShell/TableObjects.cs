using System.Globalization;
using System.Management.Automation;
using ClinicaDL.Core.Datasets;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.PowerShell;

/// <summary>
/// Between tables and pipeline objects: a table row becomes an object with one property per column (numbers
/// typed, as Import-Csv users expect them), and piped objects (label rows, Import-Csv rows) become a table.
/// </summary>
internal static class TableObjects
{
    public static IEnumerable<PSObject> ToObjects(TsvTable table, string typeName)
    {
        var numeric = AttributeValues.NumericColumns(table);
        foreach (var row in table.Rows)
        {
            var result = new PSObject();
            result.TypeNames.Insert(0, typeName);
            for (var c = 0; c < table.Columns.Count; c++)
            {
                result.Properties.Add(new PSNoteProperty(table.Columns[c], AttributeValues.Typed(row[c], numeric[c])));
            }
            yield return result;
        }
    }

    /// <summary>Columns in the order of the first object's properties; missing properties are missing values.</summary>
    public static TsvTable FromObjects(IReadOnlyList<PSObject> objects, string source)
    {
        if (objects.Count == 0)
        {
            throw new InvalidTableException($"No rows came through the pipeline ({source}).");
        }
        var columns = objects[0].Properties.Where(p => p.IsGettable).Select(p => p.Name).ToList();
        var rows = objects.Select(o => columns.Select(c => Text(o.Properties[c]?.Value)).ToArray());
        return new TsvTable(columns, rows);
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        PSObject wrapped => Text(wrapped.BaseObject),
        double number => TsvTable.FormatNumber(number),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => TsvTable.IsMissing(value.ToString()) ? null : value.ToString(),
    };
}
