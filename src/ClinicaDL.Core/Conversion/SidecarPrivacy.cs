using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ClinicaDL.Core.Conversion;

/// <summary>
/// The check every kept sidecar goes through, after dcm2niix's own anonymisation (-ba y): fields that identify a
/// person (names, identifiers, birth date, addresses, dates of the visit, UIDs that lead back to the hospital's
/// archive) are removed, and so is any field whose text contains the patient's name, identifier or birth date as
/// read from the DICOM header (a name typed into a series description, for instance).
/// </summary>
public static class SidecarPrivacy
{
    /// <summary>Sidecar fields that identify a person or a visit; never written into the dataset.</summary>
    public static IReadOnlySet<string> IdentifyingFields { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "PatientName", "PatientID", "PatientBirthDate", "PatientBirthTime", "PatientAge", "PatientSex", "PatientWeight", "PatientSize",
        "PatientAddress", "PatientTelephoneNumbers", "OtherPatientIDs", "OtherPatientNames", "PatientMotherBirthName", "MilitaryRank",
        "EthnicGroup", "PatientComments", "AccessionNumber", "StudyID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID",
        "FrameOfReferenceUID", "ReferringPhysicianName", "PerformingPhysicianName", "OperatorsName", "NameOfPhysiciansReadingStudy",
        "RequestingPhysician", "AcquisitionDateTime", "AcquisitionDate", "StudyDate", "SeriesDate", "ContentDate", "InstanceCreationDate",
        "StudyTime", "SeriesTime", "ContentTime",
    };

    /// <summary>
    /// The identifying texts of one patient to look for in every field: the name as stored and its parts of 3
    /// characters or more, the identifier and the birth date (as stored and as ISO 8601).
    /// </summary>
    public static IReadOnlyList<string> KnownValues(string? patientName, string? patientId, string? birthDate)
    {
        var values = new List<string>();
        if (patientName is { Length: > 0 })
        {
            values.Add(patientName);
            values.AddRange(patientName.Split(['^', ' ', ','], StringSplitOptions.RemoveEmptyEntries).Where(p => p.Length >= 3));
        }
        if (patientId is { Length: >= 3 })
        {
            values.Add(patientId);
        }
        if (birthDate is { Length: 8 } && birthDate.All(char.IsAsciiDigit))
        {
            values.Add(birthDate);
            values.Add($"{birthDate[..4]}-{birthDate[4..6]}-{birthDate[6..]}");
        }
        return values.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>Removes the identifying fields of a sidecar in place; returns the names of the fields removed.</summary>
    public static IReadOnlyList<string> Clean(JsonObject sidecar, IReadOnlyList<string> knownValues)
    {
        var patterns = Patterns(knownValues);
        var removed = sidecar.Where(p => IdentifyingFields.Contains(p.Key) || Contains(p.Value, patterns)).Select(p => p.Key).ToList();
        foreach (var name in removed)
        {
            sidecar.Remove(name);
        }
        return removed;
    }

    /// <summary>A text (a log line) with every known identifying value replaced.</summary>
    public static string Scrub(string text, IReadOnlyList<string> knownValues) =>
        Patterns(knownValues).Aggregate(text, (current, pattern) => pattern.Replace(current, "[removed]"));

    private static List<Regex> Patterns(IReadOnlyList<string> knownValues) => knownValues
        .OrderByDescending(v => v.Length)
        .Select(v => new Regex($@"(?<![0-9A-Za-z]){Regex.Escape(v)}(?![0-9A-Za-z])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant))
        .ToList();

    private static bool Contains(JsonNode? node, List<Regex> patterns) => node switch
    {
        JsonValue value => patterns.Any(p => p.IsMatch(value.ToString())),
        JsonArray list => list.Any(item => Contains(item, patterns)),
        JsonObject obj => obj.Any(p => Contains(p.Value, patterns)),
        _ => false,
    };
}
