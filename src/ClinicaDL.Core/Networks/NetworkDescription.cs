using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Networks;

/// <summary>What a network is and which inputs it takes.</summary>
public sealed class NetworkDescription
{
    public required string Name { get; init; }

    /// <summary>classification, regression (CNNs) or reconstruction (autoencoders).</summary>
    public required ReadableList<string> Tasks { get; init; }

    /// <summary>2D, 3D or "2D/3D" (chosen from the input rank).</summary>
    public required string Dimensions { get; init; }

    /// <summary>The input shapes it accepts, in words.</summary>
    public required string InputShapes { get; init; }

    public required ReadableList<string> Parameters { get; init; }

    public required string Description { get; init; }
}
