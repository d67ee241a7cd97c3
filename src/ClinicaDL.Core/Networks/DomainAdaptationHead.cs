namespace ClinicaDL.Core.Networks;

/// <summary>Which of <see cref="DomainAdaptationNetwork"/>'s two classifiers gives its output.</summary>
public enum DomainAdaptationHead
{
    /// <summary>fc_class_source: trained on the labelled source data.</summary>
    Source,

    /// <summary>fc_class_target: trained on the labelled target data.</summary>
    Target,
}
