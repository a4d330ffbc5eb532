using System.Text.Json.Nodes;

namespace Fellesjournal.Server.Tests.Authorization;

/// <summary>One resource of the matrix world: its compartment group decides who may see it.</summary>
public sealed record WorldItem(string Type, string Id, string Group, int Versions = 1, string? FirstGroup = null);

/// <summary>
/// The small world the authorization matrix runs against: patients with families, a GP list, a hospital stay,
/// a proxy grant, citizen controls (sperring, blokkering, reservasjon) and links across compartments. Every id
/// starts with <c>mx-</c> and every family name with <c>Mx</c>, so a leak is a plain substring in a response.
/// Groups are the patient keys, <see cref="LockedSection"/> (the locked Observation) and <see cref="Shared"/>.
/// </summary>
public static class MatrixWorld
{
    public const string Fnr = "urn:oid:2.16.578.1.12.4.1.4.1";
    public const string Hpr = "urn:oid:2.16.578.1.12.4.1.4.4";
    public const string OrgNr = "urn:oid:2.16.578.1.12.4.1.4.101";
    public const string GpHpr = "565501872";
    public const string ProxyHolderPid = "09076000031";
    public const string Shared = "shared";
    public const string LockedSection = "locked-sec";
    public const string Code = "http://loinc.org|mx-1";

    /// <summary>Patient key → family name (the id is <c>mx-{key}</c>).</summary>
    public static readonly IReadOnlyDictionary<string, string> Families = new Dictionary<string, string>
    {
        ["kari"] = "MxKari", ["ola"] = "MxOla", ["child"] = "MxChild", ["teen"] = "MxTeen", ["granter"] = "MxGranter",
        ["listed"] = "MxListed", ["inpt"] = "MxInpt", ["locked"] = "MxLocked", ["blocked"] = "MxBlocked",
        ["reserved"] = "MxReserved", ["other"] = "MxOther",
    };

    public static readonly IReadOnlyList<WorldItem> Items = BuildItems();

    private static List<WorldItem> BuildItems()
    {
        var items = new List<WorldItem>
        {
            new("Organization", "mx-org-hospital", Shared),
            new("Practitioner", "mx-prac-gp", Shared),
        };
        foreach (var key in Families.Keys)
        {
            items.Add(new("Patient", "mx-" + key, key));
            items.Add(new("Observation", $"mx-{key}-obs", key == "locked" ? LockedSection : key, key == "kari" ? 2 : 1));
            items.Add(new("Condition", $"mx-{key}-cond", key));
        }
        items.Add(new("Observation", "mx-kari-moved", "kari", 2, FirstGroup: "other"));
        items.Add(new("Observation", "mx-listed-obs2", "listed"));
        items.Add(new("Observation", "mx-listed-obs3", "listed"));
        items.Add(new("Observation", "mx-other-obs2", "other"));
        items.Add(new("RelatedPerson", "mx-child-rp", "child"));
        items.Add(new("RelatedPerson", "mx-teen-rp", "teen"));
        items.Add(new("Consent", "mx-granter-fullmakt", "granter"));
        items.Add(new("Consent", "mx-locked-sperring", "locked"));
        items.Add(new("Consent", "mx-blocked-blokkering", "blocked"));
        items.Add(new("Consent", "mx-reserved-reservasjon", "reserved"));
        items.Add(new("Encounter", "mx-inpt-enc", "inpt"));
        return items;
    }

    /// <summary>The group of a resource id.</summary>
    public static string GroupOf(string id) => Items.FirstOrDefault(i => i.Id == id)?.Group ?? Shared;

    /// <summary>The strings that betray a group: its ids and its patient's family name.</summary>
    public static IEnumerable<string> TokensOf(string group) =>
        Items.Where(i => i.Group == group).Select(i => i.Id)
            .Concat(Families.TryGetValue(group, out var f) ? [f] : []);

    /// <summary>Current ids of <paramref name="type"/> in the groups (sorted), for expected results.</summary>
    public static string[] Ids(string type, params string[] groups) =>
        Items.Where(i => i.Type == type && groups.Contains(i.Group)).Select(i => i.Id).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Every current id in the groups (sorted).</summary>
    public static string[] All(params string[] groups) =>
        Items.Where(i => groups.Contains(i.Group)).Select(i => i.Id).Order(StringComparer.Ordinal).ToArray();

    /// <summary>History entries of <paramref name="type"/> visible in the groups: one id per visible version.</summary>
    public static string[] Versions(string? type, params string[] groups)
    {
        var list = new List<string>();
        foreach (var i in Items.Where(i => type is null || i.Type == type))
            for (var v = 1; v <= i.Versions; v++)
            {
                var g = v == 1 && i.FirstGroup is { } first ? first : i.Group;
                if (groups.Contains(g)) list.Add(i.Id);
            }
        return list.Order(StringComparer.Ordinal).ToArray();
    }

    public static readonly string[] AllGroups = [.. Families.Keys, LockedSection, Shared];
    public static readonly string[] AllButLocked = [.. Families.Keys, Shared];

    // ---- resources --------------------------------------------------------------------------------------------

    private static JsonObject Ref(string r) => new() { ["reference"] = r };
    private static JsonObject Coding(string system, string code) => new() { ["system"] = system, ["code"] = code };

    private static JsonObject Patient(string key)
    {
        var p = new JsonObject
        {
            ["resourceType"] = "Patient", ["id"] = "mx-" + key,
            ["name"] = new JsonArray(new JsonObject { ["family"] = Families[key], ["given"] = new JsonArray("Test") }),
            ["gender"] = "female",
            ["birthDate"] = key switch { "child" => "2015-04-05", "teen" => "2013-01-10", "granter" => "1950-05-05", "ola" => "1990-02-02", _ => "1980-01-01" },
        };
        var fnr = key switch { "kari" => "15038500047", "ola" => "02029000002", "child" => "05041500079", _ => null };
        if (fnr is not null) p["identifier"] = new JsonArray(new JsonObject { ["system"] = Fnr, ["value"] = fnr });
        if (key is "listed" or "locked" or "blocked" or "reserved")
            p["generalPractitioner"] = new JsonArray(new JsonObject { ["identifier"] = new JsonObject { ["system"] = Hpr, ["value"] = GpHpr } });
        return p;
    }

    public static JsonObject Observation(string id, string patient, string code = "mx-1", string? hasMember = null)
    {
        var o = new JsonObject
        {
            ["resourceType"] = "Observation", ["id"] = id, ["status"] = "final",
            ["code"] = new JsonObject { ["coding"] = new JsonArray(Coding("http://loinc.org", code)) },
            ["subject"] = Ref("Patient/" + patient),
        };
        if (hasMember is not null) o["hasMember"] = new JsonArray(Ref("Observation/" + hasMember));
        return o;
    }

    private static JsonObject Condition(string id, string patient) => new()
    {
        ["resourceType"] = "Condition", ["id"] = id, ["subject"] = Ref("Patient/" + patient),
        ["code"] = new JsonObject { ["text"] = "matrix condition" },
    };

    private static JsonObject Parent(string id, string child) => new()
    {
        ["resourceType"] = "RelatedPerson", ["id"] = id, ["patient"] = Ref("Patient/" + child),
        ["identifier"] = new JsonArray(new JsonObject { ["system"] = Fnr, ["value"] = "02029000002" }),
        ["relationship"] = new JsonArray(new JsonObject { ["coding"] = new JsonArray(Coding("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "PRN")) }),
    };

    private static JsonObject Control(string id, string patient, string kind, string type, JsonObject? provision = null)
    {
        var p = provision ?? new JsonObject();
        p["type"] = type;
        return new JsonObject
        {
            ["resourceType"] = "Consent", ["id"] = id, ["status"] = "active",
            ["patient"] = Ref("Patient/" + patient),
            ["scope"] = new JsonObject { ["coding"] = new JsonArray(Coding("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy")) },
            ["category"] = new JsonArray(new JsonObject { ["coding"] = new JsonArray(Coding("https://fellesjournal.no/fhir/CodeSystem/citizen-control", kind)) }),
            ["policyRule"] = new JsonObject { ["text"] = kind },
            ["provision"] = p,
        };
    }

    private static JsonObject Actor(JsonObject identifier) => new()
    {
        ["role"] = new JsonObject { ["text"] = "actor" },
        ["reference"] = new JsonObject { ["identifier"] = identifier },
    };

    /// <summary>The writes that build the world, in order (PUT by id; an item with two versions is written twice).</summary>
    public static IEnumerable<JsonObject> Writes()
    {
        yield return new JsonObject
        {
            ["resourceType"] = "Organization", ["id"] = "mx-org-hospital", ["name"] = "Matrix hospital",
            ["identifier"] = new JsonArray(new JsonObject { ["system"] = OrgNr, ["value"] = "983710018" }),
        };
        yield return new JsonObject
        {
            ["resourceType"] = "Practitioner", ["id"] = "mx-prac-gp",
            ["identifier"] = new JsonArray(new JsonObject { ["system"] = Hpr, ["value"] = GpHpr }),
        };
        foreach (var key in Families.Keys)
        {
            yield return Patient(key);
            yield return Condition($"mx-{key}-cond", "mx-" + key);
        }
        foreach (var key in Families.Keys.Where(k => k != "other" && k != "listed"))
            yield return Observation($"mx-{key}-obs", "mx-" + key, key == "locked" ? "mx-secret" : "mx-1");
        yield return Observation("mx-other-obs", "mx-other");
        yield return Observation("mx-listed-obs", "mx-listed");
        yield return Observation("mx-listed-obs2", "mx-listed");
        // Links across compartments: a visible resource must not pull in the hidden one (include / revinclude).
        yield return Observation("mx-listed-obs3", "mx-listed", hasMember: "mx-other-obs");
        yield return Observation("mx-other-obs2", "mx-other", hasMember: "mx-listed-obs");
        var updated = Observation("mx-kari-obs", "mx-kari");
        updated["status"] = "amended";
        yield return updated;
        // Version 1 in another compartment, version 2 in Kari's: her history must show only version 2.
        yield return Observation("mx-kari-moved", "mx-other");
        yield return Observation("mx-kari-moved", "mx-kari");
        yield return Parent("mx-child-rp", "mx-child");
        yield return Parent("mx-teen-rp", "mx-teen");
        yield return Control("mx-granter-fullmakt", "mx-granter", "fullmakt", "permit", new JsonObject
        {
            ["actor"] = new JsonArray(Actor(new JsonObject { ["system"] = Fnr, ["value"] = ProxyHolderPid })),
        });
        yield return Control("mx-locked-sperring", "mx-locked", "sperring", "deny", new JsonObject
        {
            ["class"] = new JsonArray(Coding("http://hl7.org/fhir/resource-types", "Observation")),
        });
        yield return Control("mx-blocked-blokkering", "mx-blocked", "blokkering", "deny", new JsonObject
        {
            ["actor"] = new JsonArray(Actor(new JsonObject { ["system"] = Hpr, ["value"] = GpHpr })),
        });
        yield return Control("mx-reserved-reservasjon", "mx-reserved", "reservasjon", "deny");
        yield return new JsonObject
        {
            ["resourceType"] = "Encounter", ["id"] = "mx-inpt-enc", ["status"] = "in-progress",
            ["class"] = Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "IMP"),
            ["subject"] = Ref("Patient/mx-inpt"),
            ["period"] = new JsonObject { ["start"] = "2026-01-01T00:00:00Z" },
            ["serviceProvider"] = new JsonObject { ["identifier"] = new JsonObject { ["system"] = OrgNr, ["value"] = "983710018" } },
        };
    }
}
