namespace ClinicaDL.Core.Search;

/// <summary>How ClinicaDL's sampling_fn draws a key of random_search.toml from the value given.</summary>
public enum SamplingKind
{
    /// <summary>The value as given (a list stays a list).</summary>
    Fixed,

    /// <summary>One element of a list.</summary>
    Choice,

    /// <summary>A number drawn uniformly in [a, b].</summary>
    Uniform,

    /// <summary>10^-x with x drawn uniformly in [a, b]; a single value x gives 10^-x.</summary>
    Exponent,

    /// <summary>An integer drawn uniformly in [a, b], both ends included.</summary>
    RandInt,
}
