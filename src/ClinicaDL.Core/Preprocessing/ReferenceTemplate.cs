using System.Security.Cryptography;
using ClinicaDL.Core.Imaging;

namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// The template t1-linear registers to, with the grid its outputs are cropped to. The module ships the
/// brain-extracted MNI152NLin2009cSym T1w on Clinica's exact 193x229x193 grid; any other template is taken as it is.
/// </summary>
public sealed class ReferenceTemplate
{
    /// <summary>The shipped template's file name (in the templates folder beside the engine's assembly).</summary>
    public const string DefaultFileName = "tpl-MNI152NLin2009cSym_res-1_desc-brain_T1w.nii.gz";

    /// <summary>Clinica's t1-linear grid: mni_icbm152_t1_tal_nlin_sym_09c, 1 mm, origin (-96, -132, -78).</summary>
    private static readonly int[] ClinicaShape = [193, 229, 193];
    private static readonly double[] ClinicaOrigin = [-96, -132, -78];

    /// <summary>Clinica's crop (its MNI_CROP_BBOX, which made ref_cropped_template.nii.gz): voxels [12, 181) x [13, 221) x [0, 179).</summary>
    private static readonly int[] ClinicaCropStart = [12, 13, 0];
    private static readonly int[] ClinicaCropShape = [169, 208, 179];

    private ReferenceTemplate(string path, Volume volume, string sha256)
    {
        Path = path;
        Volume = volume;
        Sha256 = sha256;
    }

    public static string DefaultPath =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(typeof(ReferenceTemplate).Assembly.Location) ?? AppContext.BaseDirectory, "templates", DefaultFileName);

    public string Path { get; }

    public Volume Volume { get; }

    /// <summary>SHA-256 of the template file, recorded with every output so a result names the template exactly.</summary>
    public string Sha256 { get; }

    /// <summary>Whether the template lies on Clinica's grid, so outputs can be cropped exactly as Clinica's.</summary>
    public bool IsClinicaGrid =>
        Volume.Shape.SequenceEqual(ClinicaShape)
        && Enumerable.Range(0, 3).All(i => Math.Abs(Volume.Affine[i, 3] - ClinicaOrigin[i]) < 1e-3
            && Enumerable.Range(0, 3).All(j => Math.Abs(Volume.Affine[i, j] - (i == j ? 1 : 0)) < 1e-6));

    public static ReferenceTemplate Load(string? path)
    {
        path ??= DefaultPath;
        if (!File.Exists(path))
        {
            throw new TemplateException(path, "the file does not exist" + (path == DefaultPath ? " (the module's templates folder is incomplete: rebuild or reinstall the module)" : ""));
        }
        var header = NiftiReader.ReadHeader(path);
        var shape = header.Shape.ToArray();
        if (shape.Length < 3 || shape.Skip(3).Any(n => n != 1) || shape.Take(3).Any(n => n < 8))
        {
            throw new TemplateException(path, $"a template is one 3D image of at least 8 voxels a side; this one is {string.Join("x", shape)}");
        }
        var values = NiftiReader.ReadSingle(path, out _);
        if (values.Any(v => !float.IsFinite(v)))
        {
            throw new TemplateException(path, "it holds non-finite voxel values");
        }
        using var stream = File.OpenRead(path);
        var sha = Convert.ToHexStringLower(SHA256.HashData(stream));
        return new ReferenceTemplate(path, new Volume(values, [shape[0], shape[1], shape[2]], header.Affine), sha);
    }

    /// <summary>
    /// The grid of the outputs: Clinica's 169x208x179 crop of the template grid (same voxels, so a CAPS of this
    /// module and one of Clinica overlay voxel for voxel), or the whole template grid when uncropped or when the
    /// template is not on Clinica's grid (a template of one's own defines its field of view).
    /// </summary>
    public (int[] Shape, AffineMatrix Affine) OutputGrid(bool uncropped)
    {
        if (uncropped || !IsClinicaGrid)
        {
            return (Volume.Shape, Volume.Affine);
        }
        var origin = Volume.Affine.Apply(ClinicaCropStart[0], ClinicaCropStart[1], ClinicaCropStart[2]);
        var affine = Volume.Affine.ToArray();
        for (var i = 0; i < 3; i++)
        {
            affine[i, 3] = origin[i];
        }
        return (ClinicaCropShape, new AffineMatrix(affine));
    }

    /// <summary>The template's values on the output grid (for the quality metrics).</summary>
    public Volume OnOutputGrid(bool uncropped)
    {
        var (shape, affine) = OutputGrid(uncropped);
        return shape == Volume.Shape ? Volume : VolumeResampler.Resample(Volume, AffineMatrix.Identity, shape, affine);
    }
}
