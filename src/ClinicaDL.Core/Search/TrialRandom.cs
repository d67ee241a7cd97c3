namespace ClinicaDL.Core.Search;

/// <summary>
/// The draws of one trial: SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014; the generator java.util.SplittableRandom and xoshiro's seeding use), started from a state that
/// depends on the search seed and the trial's index only. System.Random's sequence for a seed is not promised across
/// .NET versions; this one is defined here, so a search draws the same trials on every machine and version, and a
/// resumed or extended search draws trial i as the first run did, whatever else was drawn before.
/// </summary>
public sealed class TrialRandom
{
    private const ulong Golden = 0x9E3779B97F4A7C15;
    private ulong _state;

    private TrialRandom(ulong state) => _state = state;

    /// <summary>The generator of trial <paramref name="trial"/> (from 0) of the search seeded with <paramref name="seed"/>.</summary>
    public static TrialRandom ForTrial(long seed, int trial)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(trial);
        // Mixing (a bijection) before and after the index keeps neighbouring trials' streams apart: a plain
        // seed + i * Golden start would make trial i+1's draws trial i's shifted by one.
        return new TrialRandom(Mix(Mix((ulong)seed) ^ (ulong)trial));
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextBits()
    {
        _state += Golden;
        return Mix(_state);
    }

    /// <summary>A double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextBits() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Python's random.uniform(a, b): a + (b - a) * u.</summary>
    public double Uniform(double a, double b) => a + (b - a) * NextDouble();

    /// <summary>An integer in [a, b], both included (Python's random.randint), without modulo bias.</summary>
    public long Integer(long a, long b)
    {
        if (b < a)
        {
            throw new ArgumentException($"The range [{a}, {b}] is empty.");
        }
        var span = (ulong)(b - a) + 1;
        if (span == 0)
        {
            return (long)NextBits();
        }
        // Rejects the top partial block of 2^64 so every value of the span is equally likely.
        var limit = ulong.MaxValue - ulong.MaxValue % span;
        ulong bits;
        do
        {
            bits = NextBits();
        }
        while (bits >= limit);
        return a + (long)(bits % span);
    }

    /// <summary>One of <paramref name="count"/> indices, uniformly.</summary>
    public int Index(int count) => (int)Integer(0, count - 1);

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
