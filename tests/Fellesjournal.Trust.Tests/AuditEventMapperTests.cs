using System.Text.Json.Nodes;
using Fellesjournal.Trust.Audit;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Trust.Tests;

public class AuditEventMapperTests
{
    private static readonly AuditRecord Emergency = new()
    {
        Sequence = 42,
        Time = new DateTimeOffset(2026, 11, 22, 1, 2, 3, TimeSpan.Zero),
        Action = AuditAction.Read,
        AgentKind = PrincipalKind.Personnel,
        PersonPid = "23056800026",
        PersonName = "Per Overlege",
        HprNumber = "412345678",
        Role = "LE",
        Organisation = "983710018",
        OrganisationName = "Demo HF",
        PointOfCare = "991110003",
        Purpose = "ETREAT",
        Emergency = true,
        EmergencyReason = "Unconscious",
        DecisionRef = "d-1",
        Basis = "Emergency",
        PatientId = "p1",
        Resources = ["Observation/o1"],
        Query = "Observation?patient=p1",
    };

    [Fact]
    public void Personnel_access_maps_to_trust_framework_structure()
    {
        var ae = AuditEventMapper.ToAuditEvent(Emergency);
        Assert.Equal("AuditEvent", (string?)ae["resourceType"]);
        Assert.Equal("42", (string?)ae["id"]);
        Assert.Equal("R", (string?)ae["action"]);
        Assert.Equal("0", (string?)ae["outcome"]);
        Assert.Equal("2026-11-22T01:02:03.000Z", (string?)ae["recorded"]);
        var contained = ae["contained"]!.AsArray().Select(n => n!.AsObject()).ToList();
        var practitioner = contained.Single(c => (string?)c["resourceType"] == "Practitioner");
        var ids = practitioner["identifier"]!.AsArray().Select(i => ((string?)i!["system"], (string?)i["value"])).ToList();
        Assert.Contains(("urn:oid:2.16.578.1.12.4.1.4.4", "412345678"), ids);
        Assert.Contains(("urn:oid:2.16.578.1.12.4.1.4.1", "23056800026"), ids);
        Assert.Equal("LE", (string?)practitioner["qualification"]![0]!["code"]!["coding"]![0]!["code"]);
        var legal = contained.Single(c => (string?)c["id"] == "legal-entity");
        Assert.Equal("983710018", (string?)legal["identifier"]![0]!["value"]);
        var role = contained.Single(c => (string?)c["resourceType"] == "PractitionerRole");
        Assert.Equal("#legal-entity", (string?)role["organization"]!["reference"]);
        Assert.Equal("#point-of-care", (string?)role["location"]![0]!["reference"]);
        Assert.Equal("#agent", (string?)ae["agent"]![0]!["who"]!["reference"]);
        Assert.Equal("ETREAT", (string?)ae["purposeOfEvent"]![0]!["coding"]![0]!["code"]);
        Assert.Equal("Unconscious", (string?)ae["purposeOfEvent"]![0]!["text"]);
        var entities = ae["entity"]!.AsArray();
        Assert.Equal("Patient/p1", (string?)entities[0]!["what"]!["reference"]);
        Assert.Equal("Observation/o1", (string?)entities[1]!["what"]!["reference"]);
        Assert.Equal("Observation?patient=p1", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)entities[2]!["query"]!)));
    }

    [Fact]
    public void Denied_citizen_access_maps_outcome_and_agent()
    {
        var ae = AuditEventMapper.ToAuditEvent(new AuditRecord
        {
            Sequence = 1, Time = DateTimeOffset.UnixEpoch, Action = AuditAction.Search, Outcome = AuditOutcome.Denied, OutcomeDetail = "Not your record",
            AgentKind = PrincipalKind.Citizen, PersonPid = "15038500047", PersonName = "Kari Nordmann", PatientId = "p2",
        });
        Assert.Equal("4", (string?)ae["outcome"]);
        Assert.Equal("Not your record", (string?)ae["outcomeDesc"]);
        Assert.Null(ae["contained"]);
        Assert.Null(ae["purposeOfEvent"]);
        Assert.Equal("15038500047", (string?)ae["agent"]![0]!["who"]!["identifier"]!["value"]);
        Assert.Equal("search-type", (string?)ae["subtype"]![0]!["code"]);
    }
}
