namespace ClinicaDL.Core.Preprocessing;

/// <summary>How far a quality check is: images measured of the total and the time so far.</summary>
public sealed record QualityCheckProgress(int Done, int Total, TimeSpan Elapsed)
{
    /// <summary>Seconds left at the pace so far (null before the first image is done).</summary>
    public double? SecondsRemaining => Done == 0 ? null : Elapsed.TotalSeconds / Done * (Total - Done);
}
