using System.Text;
using System.Text.Json.Nodes;
using Fellesjournal.Services.Medication;
using Fellesjournal.Storage;
using Fellesjournal.Storage.Sqlite;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Services.Tests.Medication;

/// <summary>A settable clock: expiry is tested by moving time, not by waiting.</summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// A real SQLite store in a temp directory with the medication services over it, the catalogue loaded, and the
/// people of the journeys: a GP, a hospital doctor, a pharmacist at each of two pharmacies, a nurse, a citizen.
/// </summary>
public sealed class MedicationWorld : IAsyncDisposable
{
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "fj-med-" + Guid.NewGuid().ToString("N"));
    public IResourceStore Store { get; }
    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
    public PrescriptionService Prescriptions { get; }
    public MedicationListService Lists { get; }

    public static Principal Personnel(string hpr, string name, string category, string org, string orgName) => new()
    {
        Kind = PrincipalKind.Personnel,
        HprNumber = hpr,
        Name = name,
        Pid = null,
        TrustFramework = new TrustFrameworkDetails { AuthorizationCode = category, LegalEntity = org, LegalEntityName = orgName, PurposeOfUse = PurposeOfUse.Treat },
    };

    public static readonly Principal Gp = Personnel("9144900", "Kari Fastlege", "LE", "974600951", "Storgata legekontor");
    public static readonly Principal HospitalDoctor = Personnel("9144901", "Ola Overlege", "LE", "983974899", "Oslo universitetssykehus HF");
    public static readonly Principal PharmacistA = Personnel("9144902", "Per Farmasøyt", "FA1", "981120001", "Apotek 1 Storgata");
    public static readonly Principal PharmacistB = Personnel("9144903", "Siri Reseptar", "FA2", "981120002", "Vitusapotek Torget");
    public static readonly Principal Nurse = Personnel("9144904", "Nina Sykepleier", "SP", "983974899", "Oslo universitetssykehus HF");
    public static readonly Principal Citizen = new() { Kind = PrincipalKind.Citizen, Pid = "13097248022", Name = "Anne Pasient" };

    public MedicationWorld()
    {
        Store = SqliteResourceStore.Open(Dir);
        var catalogue = MedicationCatalogue.Default;
        Prescriptions = new PrescriptionService(Store, catalogue, SafetyChecks.Default, Clock);
        Lists = new MedicationListService(Store, catalogue, SafetyChecks.Default, Clock);
    }

    public static async Task<MedicationWorld> CreateAsync(params string[] patients)
    {
        var w = new MedicationWorld();
        var writes = MedicationCatalogue.Default.Entries.Select(e => Write(MedicationCatalogue.ToResource(e))).ToList();
        foreach (var p in patients)
            writes.Add(Write(new JsonObject { ["resourceType"] = "Patient", ["id"] = p, ["name"] = new JsonArray(new JsonObject { ["family"] = "Pasient", ["given"] = new JsonArray("Anne") }) }));
        await w.Store.MergeAsync(writes);
        return w;
    }

    public static ResourceWrite Write(JsonObject o) =>
        new((string)o["resourceType"]!, (string)o["id"]!, Encoding.UTF8.GetBytes(o.ToJsonString()));

    /// <summary>A prescription as a prescriber's system sends it.</summary>
    public static JsonObject Rx(string patient, string atc, string? dosage = null, int repeats = 0, string? validityEnd = null)
    {
        var e = MedicationCatalogue.Default.Find(atc)!;
        var dr = new JsonObject { ["numberOfRepeatsAllowed"] = repeats, ["quantity"] = new JsonObject { ["value"] = e.PackSize, ["unit"] = e.PackUnit } };
        if (validityEnd is not null) dr["validityPeriod"] = new JsonObject { ["end"] = validityEnd };
        return new JsonObject
        {
            ["resourceType"] = "MedicationRequest",
            ["subject"] = new JsonObject { ["reference"] = "Patient/" + patient },
            ["medicationReference"] = new JsonObject { ["reference"] = "Medication/" + e.MedicationId, ["display"] = e.Name },
            ["dosageInstruction"] = new JsonArray(new JsonObject { ["text"] = dosage ?? e.Dosage }),
            ["dispenseRequest"] = dr,
        };
    }

    public Task AllergyAsync(string patient, string atc, string text, string criticality, string id = "allergy-1", string clinical = "active") =>
        Store.MergeAsync([Write(new JsonObject
        {
            ["resourceType"] = "AllergyIntolerance",
            ["id"] = id,
            ["clinicalStatus"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", ["code"] = clinical }) },
            ["verificationStatus"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", ["code"] = "confirmed" }) },
            ["type"] = "allergy",
            ["category"] = new JsonArray("medication"),
            ["criticality"] = criticality,
            ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = MedicationCodes.Atc, ["code"] = atc }), ["text"] = text },
            ["patient"] = new JsonObject { ["reference"] = "Patient/" + patient },
        })]);

    /// <summary>A hospital's list: contained statements (ATC and dosage, or stopped with a reason).</summary>
    public static JsonObject HospitalList(params (string Atc, string? Dosage, string Status, string? Reason)[] items)
    {
        var contained = new JsonArray();
        var entries = new JsonArray();
        var i = 0;
        foreach (var (atc, dosage, status, reason) in items)
        {
            var e = MedicationCatalogue.Default.Find(atc)!;
            var s = new JsonObject
            {
                ["resourceType"] = "MedicationStatement",
                ["id"] = "s" + ++i,
                ["status"] = status,
                ["medicationReference"] = new JsonObject { ["reference"] = "Medication/" + e.MedicationId, ["display"] = e.Name },
                ["subject"] = new JsonObject { ["reference"] = "Patient/p1" },
            };
            if (reason is not null) s["statusReason"] = new JsonArray(new JsonObject { ["text"] = reason });
            if (dosage is not null) s["dosage"] = new JsonArray(new JsonObject { ["text"] = dosage });
            contained.Add(s);
            entries.Add(new JsonObject { ["item"] = new JsonObject { ["reference"] = "#s" + i } });
        }
        return new JsonObject { ["resourceType"] = "List", ["status"] = "current", ["mode"] = "snapshot", ["contained"] = contained, ["entry"] = entries };
    }

    public static JsonObject Json(StoredResource r) => JsonNode.Parse(r.Json.Span)!.AsObject();

    public async Task<JsonObject> GetAsync(string type, string id) => Json((await Store.GetAsync(type, id))!);

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
