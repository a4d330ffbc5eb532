using System.Text.Json.Nodes;
using Fellesjournal.Server.Http;
using Fellesjournal.Server.Store;
using Fellesjournal.Server.Validation;
using Fellesjournal.Storage;

namespace Fellesjournal.Server.Demo;

/// <summary>
/// A handful of demo resources (Norwegian patients, a practitioner, an organization, observations)
/// with fixed ids. Loading is idempotent: unchanged resources get no new version.
/// </summary>
public static class DemoData
{
    public const string FnrSystem = "urn:oid:2.16.578.1.12.4.1.4.1";

    public static IReadOnlyList<JsonObject> Resources()
    {
        var list = new List<JsonObject>
        {
            Org("demo-org-ahus", "Akershus universitetssykehus HF", "974705788"),
            new()
            {
                ["resourceType"] = "Practitioner", ["id"] = "demo-lege-berg",
                ["identifier"] = new JsonArray(new JsonObject { ["system"] = "urn:oid:2.16.578.1.12.4.1.4.4", ["value"] = "9144889" }),
                ["name"] = new JsonArray(new JsonObject { ["family"] = "Berg", ["given"] = new JsonArray("Ingrid") }),
            },
        };
        (string Id, string Family, string Given, string Gender, string Birth, string Fnr, string City)[] patients =
        [
            ("demo-kari-nordmann", "Nordmann", "Kari", "female", "1985-03-14", "14038512345", "Oslo"),
            ("demo-ola-nordmann", "Nordmann", "Ola", "male", "1982-11-02", "02118223456", "Oslo"),
            ("demo-aase-haugen", "Haugen", "Åse", "female", "1948-06-21", "21064834567", "Trondheim"),
            ("demo-per-solberg", "Solberg", "Per", "male", "2012-09-30", "30091245678", "Bergen"),
            ("demo-sofie-johansen", "Johansen", "Sofie", "female", "1999-01-05", "05019956789", "Tromsø"),
        ];
        foreach (var p in patients)
        {
            list.Add(new JsonObject
            {
                ["resourceType"] = "Patient", ["id"] = p.Id,
                ["identifier"] = new JsonArray(new JsonObject { ["system"] = FnrSystem, ["value"] = p.Fnr }),
                ["active"] = true,
                ["name"] = new JsonArray(new JsonObject { ["use"] = "official", ["family"] = p.Family, ["given"] = new JsonArray(p.Given) }),
                ["gender"] = p.Gender,
                ["birthDate"] = p.Birth,
                ["address"] = new JsonArray(new JsonObject { ["city"] = p.City, ["country"] = "NO" }),
                ["generalPractitioner"] = new JsonArray(new JsonObject { ["reference"] = "Practitioner/demo-lege-berg" }),
                ["managingOrganization"] = new JsonObject { ["reference"] = "Organization/demo-org-ahus" },
            });
            list.Add(new JsonObject
            {
                ["resourceType"] = "Observation", ["id"] = p.Id.Replace("demo-", "demo-bp-"),
                ["status"] = "final",
                ["category"] = new JsonArray(new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/observation-category", ["code"] = "vital-signs" }) }),
                ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://loinc.org", ["code"] = "8867-4", ["display"] = "Heart rate" }), ["text"] = "Puls" },
                ["subject"] = new JsonObject { ["reference"] = $"Patient/{p.Id}" },
                ["effectiveDateTime"] = "2025-01-15T09:30:00+01:00",
                ["valueQuantity"] = new JsonObject { ["value"] = 72, ["unit"] = "beats/minute", ["system"] = "http://unitsofmeasure.org", ["code"] = "/min" },
            });
        }
        return list;
    }

    private static JsonObject Org(string id, string name, string orgNr) => new()
    {
        ["resourceType"] = "Organization", ["id"] = id,
        ["identifier"] = new JsonArray(new JsonObject { ["system"] = "urn:oid:2.16.578.1.12.4.1.4.101", ["value"] = orgNr }),
        ["name"] = name,
    };

    /// <summary>Writes the demo resources that are missing or differ; returns how many were written.</summary>
    public static async Task<int> LoadAsync(IResourceStore store, IResourceValidator validator, CancellationToken ct = default)
    {
        var writes = new List<ResourceWrite>();
        foreach (var r in Resources())
        {
            var bytes = ResourceJson.ToBytes(r);
            var check = validator.Validate(r, bytes);
            if (!check.Success) throw new InvalidOperationException("Demo resource invalid: " + check.Outcome.ToJson());
            var type = r["resourceType"]!.GetValue<string>();
            var id = r["id"]!.GetValue<string>();
            var current = await store.GetAsync(type, id, ct);
            if (current is { IsDeleted: false } && ContentEquality.SameContent(current.Json, r)) continue;
            writes.Add(new ResourceWrite(type, id, bytes));
        }
        if (writes.Count > 0) await store.MergeAsync(writes, ct);
        return writes.Count;
    }
}
