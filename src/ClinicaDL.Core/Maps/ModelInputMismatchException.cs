namespace ClinicaDL.Core.Maps;

/// <summary>Images whose samples do not have the shape the MAPS' networks were trained on.</summary>
public sealed class ModelInputMismatchException(IReadOnlyList<long> trained, IReadOnlyList<long> given)
    : MapsException($"The MAPS was trained on {string.Join("x", trained)} inputs; these images give {string.Join("x", given)}.")
{
    public IReadOnlyList<long> TrainedShape { get; } = trained;
    public IReadOnlyList<long> GivenShape { get; } = given;
}
