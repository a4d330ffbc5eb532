using System.Text.Json;
using Fellesjournal.Server.Http;
using Fellesjournal.Storage;

namespace Fellesjournal.Server.Bundles;

/// <summary>Writes Bundles straight to UTF-8, embedding stored resource bytes unparsed.</summary>
public sealed class BundleWriter : IDisposable
{
    private readonly MemoryStream _ms = new();
    private readonly Utf8JsonWriter _w;

    public BundleWriter(string type, long? total, IEnumerable<(string Relation, string Url)> links)
    {
        _w = new Utf8JsonWriter(_ms);
        _w.WriteStartObject();
        _w.WriteString("resourceType", "Bundle");
        _w.WriteString("id", Guid.NewGuid().ToString("N"));
        _w.WriteStartObject("meta");
        _w.WriteString("lastUpdated", FormatInstant(DateTimeOffset.UtcNow));
        _w.WriteEndObject();
        _w.WriteString("type", type);
        if (total is not null) _w.WriteNumber("total", total.Value);
        var first = true;
        foreach (var (rel, url) in links)
        {
            if (first) { _w.WriteStartArray("link"); first = false; }
            _w.WriteStartObject();
            _w.WriteString("relation", rel);
            _w.WriteString("url", url);
            _w.WriteEndObject();
        }
        if (!first) _w.WriteEndArray();
        _w.WriteStartArray("entry");
    }

    public Utf8JsonWriter Writer => _w;

    /// <summary>A search entry; a contained resource's fullUrl is its container's with the local id as fragment.</summary>
    public void SearchEntry(string baseUrl, StoredResource r, string mode = "match", ReadOnlyMemory<byte>? json = null)
    {
        _w.WriteStartObject();
        _w.WriteString("fullUrl", r.Container is { } container ? $"{baseUrl}/{container}#{r.Id}" : $"{baseUrl}/{r.ResourceType}/{r.Id}");
        _w.WritePropertyName("resource");
        _w.WriteRawValue((json ?? r.Json).Span, skipInputValidation: true);
        _w.WriteStartObject("search");
        _w.WriteString("mode", mode);
        _w.WriteEndObject();
        _w.WriteEndObject();
    }

    public void HistoryEntry(string baseUrl, StoredResource r)
    {
        _w.WriteStartObject();
        _w.WriteString("fullUrl", $"{baseUrl}/{r.ResourceType}/{r.Id}");
        if (!r.IsDeleted)
        {
            _w.WritePropertyName("resource");
            _w.WriteRawValue(r.Json.Span, skipInputValidation: true);
        }
        var (method, url, status) = r.IsDeleted ? ("DELETE", $"{r.ResourceType}/{r.Id}", "204 No Content")
            : r.VersionId == 1 ? ("POST", r.ResourceType, "201 Created")
            : ("PUT", $"{r.ResourceType}/{r.Id}", "200 OK");
        _w.WriteStartObject("request");
        _w.WriteString("method", method);
        _w.WriteString("url", url);
        _w.WriteEndObject();
        _w.WriteStartObject("response");
        _w.WriteString("status", status);
        _w.WriteString("etag", $"W/\"{r.VersionId}\"");
        _w.WriteString("lastModified", FormatInstant(r.LastUpdated));
        _w.WriteEndObject();
        _w.WriteEndObject();
    }

    /// <summary>A transaction/batch response entry.</summary>
    public void ResponseEntry(FhirResponse resp, string? fullUrl, bool includeResource, bool includeOutcome)
    {
        _w.WriteStartObject();
        if (fullUrl is not null) _w.WriteString("fullUrl", fullUrl);
        if (includeResource && resp.Resource is { } body && resp.Status < 300)
        {
            _w.WritePropertyName("resource");
            _w.WriteRawValue(body.Span, skipInputValidation: true);
        }
        _w.WriteStartObject("response");
        _w.WriteString("status", FhirResponse.StatusLine(resp.Status));
        if (resp.Location is not null) _w.WriteString("location", resp.Location);
        if (resp.ETag is not null) _w.WriteString("etag", resp.ETag);
        if (resp.LastModified is { } lm) _w.WriteString("lastModified", FormatInstant(lm));
        if (resp.Outcome is { } oc && (includeOutcome || resp.Status >= 400))
        {
            _w.WritePropertyName("outcome");
            oc.WriteTo(_w);
        }
        _w.WriteEndObject();
        _w.WriteEndObject();
    }

    public static string FormatInstant(DateTimeOffset d) => d.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ");

    public byte[] Finish()
    {
        _w.WriteEndArray();
        _w.WriteEndObject();
        _w.Flush();
        return _ms.ToArray();
    }

    public void Dispose() => _w.Dispose();
}
