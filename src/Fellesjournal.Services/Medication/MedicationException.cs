using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Services.Medication;

/// <summary>A refused medication-chain action: the HTTP status it maps to and the OperationOutcome that explains it.</summary>
public sealed class MedicationException(int status, OperationOutcome outcome) : Exception(outcome.Issues.FirstOrDefault()?.Diagnostics)
{
    public int Status { get; } = status;
    public OperationOutcome Outcome { get; } = outcome;

    public MedicationException(int status, string code, string diagnostics, string location)
        : this(status, OperationOutcome.Single(IssueSeverity.Error, code, diagnostics, location)) { }

    public static MedicationException Invalid(string diagnostics, string location) => new(400, "invalid", diagnostics, location);
    public static MedicationException NotFound(string diagnostics, string location) => new(404, "not-found", diagnostics, location);
    public static MedicationException Forbidden(string diagnostics) => new(403, "forbidden", diagnostics, "Principal");
    public static MedicationException BusinessRule(string diagnostics, string location) => new(422, "business-rule", diagnostics, location);
    public static MedicationException Conflict(string diagnostics, string location) => new(409, "conflict", diagnostics, location);
}
