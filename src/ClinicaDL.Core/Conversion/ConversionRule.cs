using System.Text.Json.Nodes;

namespace ClinicaDL.Core.Conversion;

/// <summary>
/// One rule: the criteria a sidecar must meet, and where a matching image goes in BIDS (datatype folder, suffix and
/// entities), with changes to make in its sidecar. dcm2bids calls this a description.
/// </summary>
public sealed class ConversionRule
{
    internal ConversionRule(string id, string datatype, string suffix, IReadOnlyDictionary<string, string> entities,
        IReadOnlyList<RuleCriterion> criteria, JsonObject? sidecarChanges)
    {
        Id = id;
        Datatype = datatype;
        Suffix = suffix;
        Entities = entities;
        Criteria = criteria;
        SidecarChanges = sidecarChanges;
    }

    /// <summary>The rule's name (its "id", else datatype/suffix with its entities).</summary>
    public string Id { get; }

    public string Datatype { get; }

    public string Suffix { get; }

    /// <summary>BIDS entities besides sub and ses (acq, ce, rec, dir, run, echo, task...).</summary>
    public IReadOnlyDictionary<string, string> Entities { get; }

    public IReadOnlyList<RuleCriterion> Criteria { get; }

    /// <summary>Fields to set in the sidecar of a matched image (after the identifying ones are removed).</summary>
    public JsonObject? SidecarChanges { get; }

    /// <summary>Null when every criterion holds for the sidecar, else the first that does not, as a sentence.</summary>
    public string? Explain(JsonObject sidecar) => Criteria.Select(c => c.Explain(sidecar)).FirstOrDefault(reason => reason is not null);

    public override string ToString() => Id;
}
