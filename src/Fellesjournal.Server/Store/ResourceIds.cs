using System.Text.RegularExpressions;

namespace Fellesjournal.Server.Store;

/// <summary>The FHIR id syntax (R4: 1-64 of A-Z a-z 0-9 - .).</summary>
public static partial class ResourceIds
{
    [GeneratedRegex("^[A-Za-z0-9\\-\\.]{1,64}$")]
    public static partial Regex Pattern();
}
