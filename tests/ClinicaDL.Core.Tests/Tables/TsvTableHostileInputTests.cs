using ClinicaDL.Core.Datasets;
using ClinicaDL.Core.Splits;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Tests.Tables;

/// <summary>
/// Tables that fuzzing and careless editors produce (issue 13, class 11): values that can never match because of
/// stray whitespace or control characters, repeated column names, split files without rows. Each is refused
/// with an <see cref="InvalidTableException"/> naming the file, the line and the column.
/// </summary>
public sealed class TsvTableHostileInputTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clinicadl-tsv-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Every line ends with spaces: pandas keeps them, so every diagnosis became 'AD  ' and matched nothing.</summary>
    [Fact]
    public void Labels_whose_values_end_with_spaces_are_refused_naming_file_line_and_column()
    {
        var path = Write("merged.tsv", "participant_id\tsession_id\tdiagnosis  \nsub-01\tses-M000\tAD  \nsub-02\tses-M000\tCN  \n");
        var table = TsvTable.Read(path);
        var error = Assert.Throws<InvalidTableException>(() => LabelBuilder.FromTable(table, new LabelOptions()));
        Assert.Equal(path, error.FilePath);
        Assert.Contains("merged.tsv", error.Message);
        Assert.Contains("line 2", error.Message);
        Assert.Contains("'diagnosis'", error.Message);
        Assert.Contains("'AD  '", error.Message);
    }

    [Fact]
    public void Identifiers_with_leading_spaces_are_refused_where_they_are_keys()
    {
        var path = Write("labels.tsv", "participant_id\tsession_id\tdiagnosis\nsub-01\tses-M000\tAD\n sub-02\tses-M000\tCN\n");
        var error = Assert.Throws<InvalidTableException>(() => TsvTable.Read(path).Require("participant_id"));
        Assert.Contains("line 3", error.Message);
        Assert.Contains("' sub-02'", error.Message);
    }

    /// <summary>Free-text columns keep their spaces, as pandas keeps them: only columns used as keys or labels are checked.</summary>
    [Fact]
    public void Spaces_in_a_column_nobody_matches_on_are_kept()
    {
        var path = Write("participants.tsv", "participant_id\tnotes\nsub-01\tleft-handed \n");
        var table = TsvTable.Read(path);
        table.Require("participant_id");
        Assert.Equal("left-handed ", table.Cell(0, "notes"));
    }

    [Fact]
    public void A_repeated_column_name_is_refused_naming_the_file_and_the_columns()
    {
        var path = Write("dup.tsv", "participant_id\tsession_id\tage\tage\nsub-01\tses-M000\t70\t71\n");
        var error = Assert.Throws<InvalidTableException>(() => TsvTable.Read(path));
        Assert.Equal(path, error.FilePath);
        Assert.Contains("dup.tsv", error.Message);
        Assert.Contains("'age'", error.Message);
        Assert.Contains("columns 3 and 4", error.Message);
    }

    [Fact]
    public void Column_names_repeated_once_trimmed_are_refused_too()
    {
        var path = Write("dup-trimmed.tsv", "participant_id\tsex\tsex \nsub-01\tF\tM\n");
        Assert.Contains("'sex'", Assert.Throws<InvalidTableException>(() => TsvTable.Read(path)).Message);
    }

    [Theory]
    [InlineData("sub-01\0", "\\x00")]
    [InlineData("sub\u000101", "\\x01")]
    [InlineData("sub-01\u007f", "\\x7f")]
    public void Control_characters_in_a_cell_are_refused_naming_file_line_and_column(string id, string shown)
    {
        var path = Write("nul.tsv", $"participant_id\tsession_id\nsub-00\tses-M000\n{id}\tses-M000\n");
        var error = Assert.Throws<InvalidTableException>(() => TsvTable.Read(path));
        Assert.Contains("nul.tsv", error.Message);
        Assert.Contains("line 3", error.Message);
        Assert.Contains("'participant_id'", error.Message);
        Assert.Contains(shown, error.Message);
    }

    [Fact]
    public void A_line_break_inside_a_quoted_key_is_refused_where_it_is_a_key()
    {
        var path = Write("quoted.tsv", "participant_id\tsession_id\n\"sub-01\nsub-02\"\tses-M000\n");
        Assert.Contains("control character", Assert.Throws<InvalidTableException>(() => TsvTable.Read(path).Require("participant_id")).Message);
    }

    [Fact]
    public void Control_characters_in_a_column_name_are_refused()
    {
        var path = Write("header.tsv", "participant_id\tsess\0ion_id\nsub-01\tses-M000\n");
        Assert.Contains("column 2", Assert.Throws<InvalidTableException>(() => TsvTable.Read(path)).Message);
    }

    /// <summary>A split whose train.tsv holds only a header passed the leakage audit.</summary>
    [Fact]
    public void A_split_whose_train_file_has_no_rows_fails_the_audit_naming_it()
    {
        var split = Directory.CreateDirectory(Path.Combine(_folder, "split")).FullName;
        File.WriteAllText(Path.Combine(split, "split.json"), "{\"subset_name\": \"test\"}");
        Write("split/train.tsv", "participant_id\tsession_id\tdiagnosis\n");
        Write("split/train_baseline.tsv", "participant_id\tsession_id\tdiagnosis\n");
        Write("split/test_baseline.tsv", "participant_id\tsession_id\tdiagnosis\nsub-01\tses-M000\tAD\n");
        var audit = DataLeakageAuditor.AuditSplitTree(_folder);
        Assert.False(audit.Passed);
        var empty = audit.Findings.Where(f => f.Kind == nameof(LeakageKind.EmptySplitFile)).SelectMany(f => f.Files).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["train.tsv", "train_baseline.tsv"], empty);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }
}
