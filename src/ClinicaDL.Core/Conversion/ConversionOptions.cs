namespace ClinicaDL.Core.Conversion;

/// <summary>How <see cref="BidsConverter"/> converts.</summary>
public sealed class ConversionOptions
{
    public required string OutputPath { get; init; }

    public required ConversionRules Rules { get; init; }

    public ParticipantMap Participants { get; init; } = new();

    /// <summary>dcm2niix's path (file or folder); null looks on PATH.</summary>
    public string? Dcm2NiixPath { get; init; }

    /// <summary>Replace BIDS files that exist already.</summary>
    public bool Force { get; init; }

    /// <summary>Keep unmatched images under sourcedata/unmatched/ (with their cleaned sidecars).</summary>
    public bool KeepUnmatched { get; init; }

    /// <summary>The Name of dataset_description.json for a new dataset (default: the folder's name).</summary>
    public string? DatasetName { get; init; }

    /// <summary>Asked before each write (target, action); false skips it (-WhatIf, -Confirm).</summary>
    public Func<string, string, bool> ShouldWrite { get; init; } = (_, _) => true;

    /// <summary>Details (verbose).</summary>
    public Action<string>? Log { get; init; }

    public IProgress<ConversionProgress>? Progress { get; init; }
}

/// <summary>How far a conversion is: images done of the total, and the one being converted.</summary>
public sealed record ConversionProgress(int Done, int Total, string Current);
