using System.Text.Json;

namespace Fellesjournal.Synthetic.Data;

/// <summary>Reads the shared medication catalogue (the medication service's <c>catalogue.json</c>, embedded here too).</summary>
internal static class MedicineCatalogue
{
    public static Medicine[] Load()
    {
        using var s = typeof(MedicineCatalogue).Assembly.GetManifestResourceStream("Fellesjournal.Synthetic.catalogue.json")
            ?? throw new InvalidOperationException("catalogue.json is not embedded");
        using var doc = JsonDocument.Parse(s);
        return doc.RootElement.GetProperty("medications").EnumerateArray().Select(m => new Medicine(
            m.GetProperty("atc").GetString()!, m.GetProperty("name").GetString()!, m.GetProperty("form").GetString()!,
            m.GetProperty("dosage").GetString()!, m.GetProperty("packSize").GetInt32(),
            m.GetProperty("ingredients").EnumerateArray()
                .Select(i => (i.GetProperty("substance").GetString()!, i.GetProperty("value").GetDecimal(), i.GetProperty("unit").GetString()!))
                .ToList(),
            m.GetProperty("per").GetString()!)).ToArray();
    }
}
