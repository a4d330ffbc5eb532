using System.Text;
using System.Text.Json.Nodes;
using Fellesjournal.Trust.Access;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Trust.Audit;

/// <summary>
/// Maps an <see cref="AuditRecord"/> to a FHIR R4 AuditEvent following the structure of HL7 Norway's
/// no-basis-AuditEvent (trust-framework mapping): <c>agent.who</c> is a contained PractitionerRole whose
/// Practitioner carries the pid and HPR identifiers and the 9060 authorization as qualification, whose organization
/// is the legal entity and whose location is the point of care; <c>purposeOfEvent</c> carries purpose_of_use and
/// its details; the patient is an entity. The extension URLs for the patient and decision reference are this
/// server's (<see cref="ExtensionBase"/>) until aligned with the published profile's canonical URLs.
/// </summary>
public static class AuditEventMapper
{
    public const string ExtensionBase = "https://fellesjournal.no/fhir/StructureDefinition/";
    private const string PurposeSystem = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

    public static JsonObject ToAuditEvent(AuditRecord r)
    {
        var contained = new JsonArray();
        var agent = new JsonObject { ["requestor"] = true };
        if (r.AgentKind == PrincipalKind.Personnel)
        {
            var identifiers = new JsonArray();
            if (r.PersonPid is { } pid) identifiers.Add(Identifier(NorwegianSystems.Fnr, pid));
            if (r.HprNumber is { } hpr) identifiers.Add(Identifier(NorwegianSystems.Hpr, hpr));
            var practitioner = new JsonObject { ["resourceType"] = "Practitioner", ["id"] = "practitioner", ["identifier"] = identifiers };
            if (r.PersonName is { } n) practitioner["name"] = new JsonArray(new JsonObject { ["text"] = n });
            if (r.Role is { } role)
                practitioner["qualification"] = new JsonArray(new JsonObject
                {
                    ["code"] = new JsonObject { ["coding"] = new JsonArray(Coding("urn:oid:2.16.578.1.12.4.1.1.9060", role)) },
                });
            contained.Add(practitioner);
            var pr = new JsonObject { ["resourceType"] = "PractitionerRole", ["id"] = "agent", ["practitioner"] = Ref("#practitioner") };
            if (r.Organisation is { } org)
            {
                contained.Add(Organization("legal-entity", NorwegianSystems.OrgNr, org, r.OrganisationName));
                pr["organization"] = Ref("#legal-entity");
            }
            if (r.PointOfCare is { } poc)
            {
                contained.Add(Organization("point-of-care-org", NorwegianSystems.OrgNr, poc, r.PointOfCareName));
                contained.Add(new JsonObject { ["resourceType"] = "Location", ["id"] = "point-of-care", ["managingOrganization"] = Ref("#point-of-care-org") });
                pr["location"] = new JsonArray(Ref("#point-of-care"));
            }
            contained.Add(pr);
            agent["who"] = Ref("#agent");
        }
        else if (r.AgentKind == PrincipalKind.Citizen)
        {
            agent["who"] = new JsonObject { ["identifier"] = Identifier(NorwegianSystems.Fnr, r.PersonPid ?? ""), ["display"] = r.PersonName };
            agent["type"] = Concept("http://terminology.hl7.org/CodeSystem/v3-RoleClass", "PAT");
        }
        else
        {
            agent["who"] = new JsonObject { ["identifier"] = new JsonObject { ["value"] = r.ClientId }, ["display"] = r.PersonName ?? r.ClientId };
            agent["type"] = Concept("http://dicom.nema.org/resources/ontology/DCM", "110150", "Application");
        }
        if (r.ClientId is { } client) agent["altId"] = client;

        var ae = new JsonObject
        {
            ["resourceType"] = "AuditEvent",
            ["id"] = r.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["meta"] = new JsonObject { ["profile"] = new JsonArray("http://hl7.no/fhir/StructureDefinition/no-basis-AuditEvent") },
        };
        if (contained.Count > 0) ae["contained"] = contained;
        var ext = new JsonArray();
        if (r.PatientId is { } patient)
            ext.Add(new JsonObject { ["url"] = ExtensionBase + "auditevent-patient", ["valueReference"] = Ref("Patient/" + patient) });
        if (r.DecisionRef is { } dref)
            ext.Add(new JsonObject { ["url"] = ExtensionBase + "auditevent-decision-ref", ["valueString"] = dref });
        if (r.Basis is { } basis)
            ext.Add(new JsonObject { ["url"] = ExtensionBase + "auditevent-access-basis", ["valueCode"] = basis });
        if (r.LockedSectionsOpened)
            ext.Add(new JsonObject { ["url"] = ExtensionBase + "auditevent-locked-opened", ["valueBoolean"] = true });
        if (ext.Count > 0) ae["extension"] = ext;

        ae["type"] = Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", "RESTful Operation");
        ae["subtype"] = new JsonArray(Coding("http://hl7.org/fhir/restful-interaction", r.Action switch
        {
            AuditAction.Read => "read",
            AuditAction.Search => "search-type",
            AuditAction.Create => "create",
            AuditAction.Update => "update",
            AuditAction.Delete => "delete",
            _ => "operation",
        }));
        ae["action"] = r.Action switch
        {
            AuditAction.Create => "C",
            AuditAction.Read or AuditAction.Search => "R",
            AuditAction.Update => "U",
            AuditAction.Delete => "D",
            _ => "E",
        };
        ae["recorded"] = r.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        ae["outcome"] = r.Outcome switch { AuditOutcome.Success => "0", AuditOutcome.Denied => "4", _ => "8" };
        if (r.OutcomeDetail is { } od) ae["outcomeDesc"] = od;
        if (r.Purpose is { } purpose)
        {
            var pc = new JsonObject { ["coding"] = new JsonArray(Coding(PurposeSystem, purpose)) };
            if (r.EmergencyReason is { } why) pc["text"] = why;
            ae["purposeOfEvent"] = new JsonArray(pc);
        }
        ae["agent"] = new JsonArray(agent);
        ae["source"] = new JsonObject
        {
            ["observer"] = new JsonObject { ["display"] = "Fellesjournal" },
            ["type"] = new JsonArray(Coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4", "Application Server")),
        };
        var entities = new JsonArray();
        if (r.PatientId is { } pat)
            entities.Add(new JsonObject
            {
                ["what"] = Ref("Patient/" + pat),
                ["type"] = Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "1", "Person"),
                ["role"] = Coding("http://terminology.hl7.org/CodeSystem/object-role", "1", "Patient"),
            });
        foreach (var res in r.Resources)
            entities.Add(new JsonObject
            {
                ["what"] = Ref(res),
                ["type"] = Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"),
            });
        if (r.Query is { } q)
            entities.Add(new JsonObject
            {
                ["type"] = Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"),
                ["role"] = Coding("http://terminology.hl7.org/CodeSystem/object-role", "24", "Query"),
                ["query"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(q)),
            });
        if (entities.Count > 0) ae["entity"] = entities;
        return ae;
    }

    private static JsonObject Ref(string reference) => new() { ["reference"] = reference };
    private static JsonObject Identifier(string system, string value) => new() { ["system"] = system, ["value"] = value };

    private static JsonObject Coding(string system, string code, string? display = null)
    {
        var c = new JsonObject { ["system"] = system, ["code"] = code };
        if (display is not null) c["display"] = display;
        return c;
    }

    private static JsonObject Concept(string system, string code, string? display = null) =>
        new() { ["coding"] = new JsonArray(Coding(system, code, display)) };

    private static JsonObject Organization(string id, string system, string value, string? name)
    {
        var o = new JsonObject { ["resourceType"] = "Organization", ["id"] = id, ["identifier"] = new JsonArray(Identifier(system, value)) };
        if (name is not null) o["name"] = name;
        return o;
    }
}
