namespace Fellesjournal.Storage.Search;

/// <summary>
/// Common clinical UCUM units grouped by dimension with their factor to the group's base unit. A quantity search
/// in one unit is expanded to the same value in the others, so the store needs no canonical column; a stored value
/// in a unit outside these groups matches only its own unit. (Molar and mass concentrations are different
/// dimensions and are not converted into each other.)
/// </summary>
public static class UcumUnits
{
    public const string System = "http://unitsofmeasure.org";

    private static readonly Dictionary<string, decimal>[] Groups =
    [
        new() { ["kg"] = 1000m, ["g"] = 1m, ["mg"] = 0.001m, ["ug"] = 0.000001m },
        new() { ["mol/L"] = 1m, ["mmol/L"] = 0.001m, ["umol/L"] = 0.000001m, ["nmol/L"] = 0.000000001m },
        new() { ["g/L"] = 1m, ["g/dL"] = 10m, ["mg/dL"] = 0.01m, ["mg/L"] = 0.001m, ["ug/L"] = 0.000001m },
        new() { ["L"] = 1m, ["dL"] = 0.1m, ["mL"] = 0.001m },
        new() { ["m"] = 1m, ["cm"] = 0.01m, ["mm"] = 0.001m },
        new() { ["h"] = 3600m, ["min"] = 60m, ["s"] = 1m },
    ];

    /// <summary>The other units of <paramref name="code"/>'s group with the factor that converts a value in
    /// <paramref name="code"/> into that unit.</summary>
    public static IEnumerable<(string Unit, decimal Factor)> SameDimension(string code)
    {
        foreach (var g in Groups)
            if (g.TryGetValue(code, out var from))
                foreach (var (unit, to) in g)
                    if (unit != code) yield return (unit, from / to);
    }
}
