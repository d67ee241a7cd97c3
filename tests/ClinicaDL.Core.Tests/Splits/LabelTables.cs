using System.Globalization;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Tests.Splits;

/// <summary>Generated labels tables with known structure.</summary>
internal static class LabelTables
{
    /// <summary>
    /// A longitudinal cohort: AD/CN/MCI in 3:4:3 proportions, ages around 72, both sexes, 1 to 4 sessions
    /// (ses-M000, ses-M012...) per participant, in a shuffled row order.
    /// </summary>
    public static TsvTable Cohort(int participants, int seed = 1)
    {
        var random = new Random(seed);
        var rows = new List<string?[]>();
        for (var p = 0; p < participants; p++)
        {
            var diagnosis = (p % 10) switch { < 3 => "AD", < 7 => "CN", _ => "MCI" };
            var age = 72 + 7 * Gaussian(random);
            var sex = random.NextDouble() < 0.55 ? "F" : "M";
            var sessions = random.Next(1, 5);
            for (var s = 0; s < sessions; s++)
            {
                rows.Add([$"sub-{p:D4}", $"ses-M{12 * s:D3}", (age + s).ToString("F1", CultureInfo.InvariantCulture), sex, diagnosis]);
            }
        }
        rows = rows.OrderBy(_ => random.Next()).ToList();
        return new TsvTable(["participant_id", "session_id", "age", "sex", "diagnosis"], rows);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
