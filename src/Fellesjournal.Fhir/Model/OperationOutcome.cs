using System.Text.Json;

namespace Fellesjournal.Fhir.Model;

/// <summary>Severity of an OperationOutcome issue (http://hl7.org/fhir/issue-severity).</summary>
public enum IssueSeverity { Fatal, Error, Warning, Information }

/// <summary>One issue: severity, code (http://hl7.org/fhir/issue-type, e.g. "structure", "required",
/// "value", "invariant", "code-invalid", "not-found"), a human message and the FHIRPath location.</summary>
public sealed record OutcomeIssue(IssueSeverity Severity, string Code, string Diagnostics, string? Location = null);

/// <summary>An OperationOutcome: the body of every failed FHIR interaction and the result of validation.</summary>
public sealed class OperationOutcome
{
    public List<OutcomeIssue> Issues { get; } = [];

    public OperationOutcome() { }
    public OperationOutcome(IEnumerable<OutcomeIssue> issues) => Issues.AddRange(issues);

    public static OperationOutcome Single(IssueSeverity severity, string code, string diagnostics, string? location = null) =>
        new([new OutcomeIssue(severity, code, diagnostics, location)]);

    /// <summary>True when no issue is an error or fatal.</summary>
    public bool Success => !Issues.Any(i => i.Severity is IssueSeverity.Error or IssueSeverity.Fatal);

    public OperationOutcome Add(IssueSeverity severity, string code, string diagnostics, string? location = null)
    {
        Issues.Add(new OutcomeIssue(severity, code, diagnostics, location));
        return this;
    }

    public byte[] ToJsonBytes(bool indented = false)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = indented }))
            WriteTo(w);
        return ms.ToArray();
    }

    public string ToJson(bool indented = false) => System.Text.Encoding.UTF8.GetString(ToJsonBytes(indented));

    public void WriteTo(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("resourceType", "OperationOutcome");
        w.WriteStartArray("issue");
        var issues = Issues.Count > 0 ? Issues : [new OutcomeIssue(IssueSeverity.Information, "informational", "All OK")];
        foreach (var i in issues)
        {
            w.WriteStartObject();
            w.WriteString("severity", i.Severity.ToString().ToLowerInvariant());
            w.WriteString("code", i.Code);
            w.WriteString("diagnostics", i.Diagnostics);
            if (i.Location is not null)
            {
                // R4: location (deprecated, XPath-ish) and expression (FHIRPath); both carry our FHIRPath location.
                w.WriteStartArray("location");
                w.WriteStringValue(i.Location);
                w.WriteEndArray();
                w.WriteStartArray("expression");
                w.WriteStringValue(i.Location);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
