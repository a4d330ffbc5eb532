using System.Text.Json;

namespace Fellesjournal.Fhir.Model;

/// <summary>Shared JSON settings for FHIR content.</summary>
public static class FhirJson
{
    /// <summary>Maximum nesting accepted in a resource; deeper input is rejected as hostile.</summary>
    public const int MaxDepth = 128;

    public static readonly JsonDocumentOptions DocumentOptions = new()
    {
        MaxDepth = MaxDepth,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
    };
}
