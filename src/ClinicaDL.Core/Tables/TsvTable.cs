using System.Globalization;
using System.Text;
using ClinicaDL.Core.IO;
using nietras.SeparatedValues;

namespace ClinicaDL.Core.Tables;

/// <summary>
/// A tab-separated table as BIDS, Clinica and ClinicaDL (pandas) write them: a header line, one row per line,
/// <c>n/a</c> or an empty cell for a missing value (held as null), CRLF or LF line ends, final newline optional.
/// Written back with LF line ends and missing values as empty cells, as pandas' <c>to_csv(sep="\t")</c> does.
/// </summary>
public sealed class TsvTable
{
    private readonly Dictionary<string, int> _columnIndex;

    public TsvTable(IEnumerable<string> columns, IEnumerable<string?[]> rows, string? path = null)
    {
        Columns = columns.ToList();
        _columnIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Columns.Count; i++)
        {
            if (!_columnIndex.TryAdd(Columns[i], i))
            {
                throw new InvalidTableException($"{Describe(path)} has the column '{Columns[i]}' twice.", path);
            }
        }
        Rows = rows.ToList();
        Path = path;
        foreach (var row in Rows)
        {
            if (row.Length != Columns.Count)
            {
                throw new ArgumentException($"A row has {row.Length} cells for {Columns.Count} columns.", nameof(rows));
            }
        }
    }

    /// <summary>The file the table was read from, if any.</summary>
    public string? Path { get; }

    public IReadOnlyList<string> Columns { get; }

    /// <summary>Cells in column order; null for a missing value.</summary>
    public IReadOnlyList<string?[]> Rows { get; }

    public bool HasColumn(string name) => _columnIndex.ContainsKey(name);

    public int IndexOf(string name) => _columnIndex.TryGetValue(name, out var index) ? index : -1;

    public string? Cell(int row, string column) => Rows[row][_columnIndex[column]];

    /// <summary>
    /// Fails naming the file and every required column it lacks, or the first value of those columns that could
    /// never match another: one with spaces at its start or end, or with a control character (tab, line break,
    /// NUL...). Required columns are the keys and labels callers match on; pandas (and so ClinicaDL) keeps such
    /// values as they are, so an 'AD  ' diagnosis silently matched nothing and a NUL went into every output.
    /// </summary>
    public void Require(params string[] columns)
    {
        var missing = columns.Where(c => !HasColumn(c)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidTableException(
                $"{Describe(Path)} has no column {string.Join(", ", missing.Select(c => $"'{c}'"))}; its columns are {string.Join(", ", Columns)}.", Path);
        }
        foreach (var column in columns)
        {
            var index = _columnIndex[column];
            for (var row = 0; row < Rows.Count; row++)
            {
                if (Rows[row][index] is { } cell && UnmatchableBecause(cell) is { } reason)
                {
                    throw new InvalidTableException(
                        $"{Describe(Path)}, line {LineOf(row)}, column '{column}': the value '{Printable(cell)}' {reason}; it would match no other value: correct the file.", Path);
                }
            }
        }
    }

    /// <summary>The 1-based line of a data row in its file (the header is line 1).</summary>
    public static int LineOf(int rowIndex) => rowIndex + 2;

    public static bool IsMissing(string? cell) => cell is null || cell.Length == 0 || cell == "n/a" || cell == "NaN";

    public static TsvTable Read(string path)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        try
        {
            var text = File.ReadAllText(fullPath);
            if (string.IsNullOrWhiteSpace(text))
            {
                throw new InvalidTableException($"{Describe(fullPath)} is empty; a header line was expected.", fullPath);
            }
            // The header is read as a row: Sep's own header refuses a repeated name with an ArgumentException
            // that names no file.
            using var reader = Sep.New('\t').Reader(o => o with { HasHeader = false, Unescape = true, DisableColCountCheck = true }).FromText(text);
            List<string>? columns = null;
            var rows = new List<string?[]>();
            foreach (var row in reader)
            {
                if (row.ColCount == 1 && row[0].Span.Trim().IsEmpty)
                {
                    continue;
                }
                if (columns is null)
                {
                    columns = Header(fullPath, row);
                    continue;
                }
                if (row.ColCount != columns.Count)
                {
                    throw new InvalidTableException(
                        $"{Describe(fullPath)}, line {LineOf(rows.Count)}: {row.ColCount} cells where the header has {columns.Count} columns ({string.Join(", ", columns)}).", fullPath);
                }
                var cells = new string?[columns.Count];
                for (var i = 0; i < cells.Length; i++)
                {
                    var cell = row[i].ToString();
                    if (cell.AsSpan().IndexOfAny(ForbiddenControls) >= 0)
                    {
                        throw new InvalidTableException(
                            $"{Describe(fullPath)}, line {LineOf(rows.Count)}, column '{columns[i]}': the value '{Printable(cell)}' holds a control character; a table cell holds text.", fullPath);
                    }
                    cells[i] = IsMissing(cell) ? null : cell;
                }
                rows.Add(cells);
            }
            if (columns is null)
            {
                throw new InvalidTableException($"{Describe(fullPath)} is empty; a header line was expected.", fullPath);
            }
            return new TsvTable(columns, rows, fullPath);
        }
        catch (InvalidDataException error)
        {
            throw new InvalidTableException($"{Describe(fullPath)} is not a readable TSV file: {error.Message}", fullPath, error);
        }
    }

    /// <summary>Writes the table atomically (a failed write leaves any previous file intact).</summary>
    public void Write(string path)
    {
        using var file = AtomicFile.Create(path);
        using (var writer = new StreamWriter(file.Stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true))
        {
            WriteTo(writer);
        }
        file.Commit();
    }

    /// <summary>The table as text: LF line ends, missing values as empty cells.</summary>
    public void WriteTo(TextWriter writer)
    {
        writer.Write(string.Join('\t', Columns.Select(Escape)));
        writer.Write('\n');
        foreach (var row in Rows)
        {
            writer.Write(string.Join('\t', row.Select(cell => Escape(cell ?? ""))));
            writer.Write('\n');
        }
    }

    /// <summary>A new table with the same columns and the given rows.</summary>
    public TsvTable WithRows(IEnumerable<string?[]> rows) => new(Columns, rows, null);

    /// <summary>Formats a number as pandas does for floats that are whole (e.g. 72.0) or not, culture-invariant.</summary>
    public static string FormatNumber(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Describe(string? path) => path is null ? "the table" : $"'{path}'";

    /// <summary>
    /// Control characters no cell may hold (NUL, the other C0 codes and DEL); tab and line breaks may appear in a
    /// quoted cell, as pandas writes free text, and are refused only in the columns callers match on.
    /// </summary>
    private static readonly System.Buffers.SearchValues<char> ForbiddenControls = System.Buffers.SearchValues.Create(
        string.Concat(Enumerable.Range(0, 32).Where(c => c is not ('\t' or '\n' or '\r')).Select(c => (char)c)) + "\u007f");

    private static List<string> Header(string path, SepReader.Row row)
    {
        var columns = new List<string>(row.ColCount);
        for (var i = 0; i < row.ColCount; i++)
        {
            var name = row[i].ToString().Trim();
            if (name.AsSpan().IndexOfAnyInRange('\0', '\u001f') >= 0 || name.Contains('\u007f'))
            {
                throw new InvalidTableException($"{Describe(path)}: the name of column {i + 1}, '{Printable(name)}', holds a control character.", path);
            }
            columns.Add(name);
        }
        var repeated = columns.Select((name, index) => (name, index)).GroupBy(c => c.name, StringComparer.Ordinal).Where(g => g.Count() > 1).ToList();
        if (repeated.Count > 0)
        {
            throw new InvalidTableException(
                $"{Describe(path)} repeats column names: " +
                string.Join("; ", repeated.Select(g => $"'{g.Key}' is columns {string.Join(" and ", g.Select(c => c.index + 1))}")) +
                "; each column needs its own name.", path);
        }
        return columns;
    }

    /// <summary>Why a key or label value could never equal the value it is meant to match, or null.</summary>
    private static string? UnmatchableBecause(string cell) =>
        cell.Length == 0 ? null
        : cell.AsSpan().IndexOfAnyInRange('\0', '\u001f') >= 0 || cell.Contains('\u007f') ? "holds a control character"
        : char.IsWhiteSpace(cell[0]) || char.IsWhiteSpace(cell[^1]) ? "has spaces at its start or end"
        : null;

    /// <summary>A value as a person can read it in a message: control characters as \xNN.</summary>
    private static string Printable(string value) =>
        string.Concat(value.Select(c => c < ' ' || c == '\u007f' ? $"\\x{(int)c:x2}" : c.ToString()));

    // pandas quotes a cell only when it holds the separator, a quote or a line break.
    private static string Escape(string cell) =>
        cell.AsSpan().IndexOfAny("\t\"\r\n") < 0 ? cell : "\"" + cell.Replace("\"", "\"\"") + "\"";
}
