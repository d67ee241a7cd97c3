namespace ClinicaDL.Core.Extraction;

/// <summary>What a network eats from each image (ClinicaDL's prepare-data modes).</summary>
public enum ExtractionMode
{
    Image,
    Patch,
    Slice,
    Roi,
}
