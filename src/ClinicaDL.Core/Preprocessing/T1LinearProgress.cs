namespace ClinicaDL.Core.Preprocessing;

/// <summary>How far a t1-linear run is: images finished of the total, the last one finished, and the time so far.</summary>
public sealed record T1LinearProgress(int Done, int Total, string? Current, TimeSpan Elapsed)
{
    /// <summary>Seconds left at the pace so far (null before the first image is done).</summary>
    public double? SecondsRemaining => Done == 0 ? null : Elapsed.TotalSeconds / Done * (Total - Done);
}
