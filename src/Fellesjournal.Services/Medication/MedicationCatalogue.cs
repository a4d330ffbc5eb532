using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fellesjournal.Services.Medication;

/// <summary>One ingredient and its amount per unit of the form (e.g. 50 mg per tablet).</summary>
public sealed record CatalogueIngredient(string Substance, decimal Value, string Unit);

/// <summary>A catalogue medicine: ATC code, name, substance, form, strength, the usual dosage and pack.</summary>
public sealed record CatalogueEntry(string Atc, string Name, string Substance, string Form, string Dosage,
    int PackSize, string PackUnit, IReadOnlyList<CatalogueIngredient> Ingredients, string Per)
{
    public string MedicationId => MedicationCodes.MedicationId(Atc);
}

/// <summary>
/// The medication catalogue kept as data (<c>Medication/catalogue.json</c>, embedded): the Medication resources
/// prescriptions and list entries point at, loaded into the store by <c>serve --demo</c>.
/// </summary>
public sealed class MedicationCatalogue
{
    private readonly Dictionary<string, CatalogueEntry> _byAtc;
    public IReadOnlyList<CatalogueEntry> Entries { get; }

    public MedicationCatalogue(IReadOnlyList<CatalogueEntry> entries)
    {
        Entries = entries;
        _byAtc = entries.ToDictionary(e => e.Atc, StringComparer.Ordinal);
    }

    public static MedicationCatalogue Default { get; } = Load();

    public CatalogueEntry? Find(string atc) => _byAtc.GetValueOrDefault(atc);

    /// <summary>The entry a <c>Medication/med-ATC</c> reference names, or null.</summary>
    public CatalogueEntry? FindByReference(string? reference) =>
        reference is not null && reference.StartsWith("Medication/med-", StringComparison.Ordinal)
            ? Find(reference["Medication/med-".Length..]) : null;

    public static MedicationCatalogue Load()
    {
        using var s = typeof(MedicationCatalogue).Assembly.GetManifestResourceStream("Fellesjournal.Services.Medication.catalogue.json")
            ?? throw new InvalidOperationException("catalogue.json is not embedded");
        return Parse(s);
    }

    public static MedicationCatalogue Parse(Stream json)
    {
        using var doc = JsonDocument.Parse(json);
        var list = new List<CatalogueEntry>();
        foreach (var m in doc.RootElement.GetProperty("medications").EnumerateArray())
        {
            var ingredients = m.GetProperty("ingredients").EnumerateArray()
                .Select(i => new CatalogueIngredient(i.GetProperty("substance").GetString()!, i.GetProperty("value").GetDecimal(), i.GetProperty("unit").GetString()!))
                .ToList();
            list.Add(new CatalogueEntry(m.GetProperty("atc").GetString()!, m.GetProperty("name").GetString()!,
                m.GetProperty("substance").GetString()!, m.GetProperty("form").GetString()!, m.GetProperty("dosage").GetString()!,
                m.GetProperty("packSize").GetInt32(), m.GetProperty("packUnit").GetString()!, ingredients, m.GetProperty("per").GetString()!));
        }
        return new MedicationCatalogue(list);
    }

    /// <summary>The entry as a FHIR Medication resource (UCUM units; the form as text, the catalogue has no EDQM codes).</summary>
    public static JsonObject ToResource(CatalogueEntry e)
    {
        var ingredients = new JsonArray();
        foreach (var i in e.Ingredients)
            ingredients.Add(new JsonObject
            {
                ["itemCodeableConcept"] = new JsonObject { ["text"] = i.Substance },
                ["isActive"] = true,
                ["strength"] = new JsonObject
                {
                    ["numerator"] = new JsonObject { ["value"] = i.Value, ["unit"] = i.Unit, ["system"] = "http://unitsofmeasure.org", ["code"] = i.Unit },
                    ["denominator"] = new JsonObject { ["value"] = 1, ["unit"] = e.Per, ["system"] = "http://unitsofmeasure.org", ["code"] = e.Per },
                },
            });
        return new JsonObject
        {
            ["resourceType"] = "Medication",
            ["id"] = e.MedicationId,
            ["code"] = new JsonObject
            {
                ["coding"] = new JsonArray(new JsonObject { ["system"] = MedicationCodes.Atc, ["code"] = e.Atc }),
                ["text"] = e.Name,
            },
            ["status"] = "active",
            ["form"] = new JsonObject { ["text"] = e.Form },
            ["ingredient"] = ingredients,
        };
    }
}
