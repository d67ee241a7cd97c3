namespace ClinicaDL.Core.Selection;

/// <summary>What a filter can name: the cmdlets turn each family into its own ErrorId.</summary>
public enum NotFoundKind
{
    Split,
    SelectionMetric,
    DataGroup,
    Network,
    Diagnosis,
    Modality,
    Image,
    Region,
}

/// <summary>A name a filter asked for that does not exist where it was looked for, with what does exist there.</summary>
public sealed record MissingName(NotFoundKind Kind, string Name, string Container, IReadOnlyList<string> Available, string? Remedy = null)
{
    public string Message
    {
        get
        {
            var what = Kind switch
            {
                NotFoundKind.Split => $"split {Name}",
                NotFoundKind.SelectionMetric => $"selection metric '{Name}'",
                NotFoundKind.DataGroup => $"data group '{Name}'",
                NotFoundKind.Network => $"network '{Name}'",
                NotFoundKind.Diagnosis => $"diagnosis '{Name}'",
                NotFoundKind.Modality => $"modality '{Name}'",
                NotFoundKind.Region => $"region '{Name}'",
                _ => Name,
            };
            var available = Available.Count == 0 ? "none" : string.Join(", ", Available);
            return $"{Container} has no {what} (it has: {available}).{(Remedy is null ? "" : " " + Remedy)}";
        }
    }
}

/// <summary>
/// A filter named something that does not exist. An <see cref="ArgumentException"/>, because the name was the
/// caller's input: code that knows only that family still reports it as an input error.
/// </summary>
public sealed class NotFoundException(MissingName missing) : ArgumentException(missing.Message)
{
    public MissingName Missing { get; } = missing;
}
