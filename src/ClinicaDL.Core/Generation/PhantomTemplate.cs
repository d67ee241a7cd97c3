using System.IO.Compression;
using ClinicaDL.Core.Imaging;

namespace ClinicaDL.Core.Generation;

/// <summary>
/// The template raw phantoms are registered to (the MNI template cannot serve: phantoms do not look like a head):
/// the population's mean anatomy, free of atrophy, at the data set's mean age, on the CAPS images' grid, and its
/// brain mask. Like MNI152 it is an average: the cortical folding, which differs between participants, is averaged
/// over several phases, so registration aligns the shared anatomy and not one participant's gyri.
/// </summary>
internal static class PhantomTemplate
{
    public const string Name = "ClinicaDLPhantom";

    /// <summary>Folding phases averaged; each axis meets every one of them once.</summary>
    private const int FoldPhases = 8;

    public static string ImageName(int voxelSize) => $"tpl-{Name}_res-{voxelSize}_T1w.nii.gz";

    public static string MaskName(int voxelSize) => $"tpl-{Name}_res-{voxelSize}_desc-brain_mask.nii.gz";

    public static void Write(string folder, PhantomGrid grid, double yearsOver70, int threads, CancellationToken cancellation)
    {
        var phantoms = Enumerable.Range(0, FoldPhases).Select(n => new BrainPhantom(
            PhantomAnatomy.Mean with { FoldPhaseX = Phase(n), FoldPhaseY = Phase(3 * n), FoldPhaseZ = Phase(5 * n) }, severity: 0, yearsOver70)).ToArray();
        var values = new float[grid.VoxelCount];
        var mask = new float[grid.VoxelCount];
        var (nx, ny) = (grid.Shape[0], grid.Shape[1]);
        Parallel.For(0, grid.Shape[2], new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads), CancellationToken = cancellation }, k =>
        {
            var z = grid.Millimetres(2, k);
            for (var j = 0; j < ny; j++)
            {
                var y = grid.Millimetres(1, j);
                for (var i = 0; i < nx; i++)
                {
                    var x = grid.Millimetres(0, i);
                    var index = i + nx * (j + ny * k);
                    values[index] = (float)phantoms.Average(p => p.Signal(x, y, z));
                    mask[index] = phantoms[0].IsBrain(x, y, z) ? 1 : 0;
                }
            }
        });
        Directory.CreateDirectory(folder);
        NiftiWriter.Write(Path.Combine(folder, ImageName(grid.VoxelSize)), grid.Shape, values, grid.Affine, new NiftiWriteOptions
        {
            QformCode = 4, SformCode = 4, Descrip = "ClinicaDL phantom template", Compression = CompressionLevel.Fastest,
        });
        NiftiWriter.Write(Path.Combine(folder, MaskName(grid.VoxelSize)), grid.Shape, mask, grid.Affine, new NiftiWriteOptions
        {
            DataType = NiftiDataType.UInt8, QformCode = 4, SformCode = 4, Descrip = "ClinicaDL phantom template brain mask", Compression = CompressionLevel.Fastest,
        });
    }

    private static double Phase(int n) => 2 * Math.PI * (n % FoldPhases) / FoldPhases;
}
