using System.Globalization;
using Fellesjournal.Server.Http;
using Fellesjournal.Server.Store;
using Fellesjournal.Storage;

namespace Fellesjournal.Server.Interactions;

public sealed partial class FhirService
{
    private async Task<FhirResponse> ReadAsync(FhirRequest req, string type, string id, IStoreOps ops, CancellationToken ct)
    {
        var r = await ops.GetAsync(type, id, ct) ?? throw FhirException.NotFound($"{type}/{id} does not exist.");
        if (r.IsDeleted) throw Gone(r);
        if (NotModified(req, r)) return new FhirResponse { Status = 304, VersionId = r.VersionId, LastModified = r.LastUpdated };
        return ResourceResponse(r);
    }

    private async Task<FhirResponse> VReadAsync(FhirRequest req, string type, string id, string vid, IStoreOps ops, CancellationToken ct)
    {
        if (!long.TryParse(vid, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v < 1)
            throw FhirException.NotFound($"'{vid}' is not a version id.");
        // Each version is judged by its own compartment, so an old version in another record stays hidden.
        var r = ops is Security.GuardedStoreOps guarded ? await guarded.GetVersionAsync(type, id, v, ct) : await ops.Store.GetVersionAsync(type, id, v, ct);
        if (r is null)
        {
            var current = await ops.GetAsync(type, id, ct);
            throw FhirException.NotFound(current is null ? $"{type}/{id} does not exist." : $"{type}/{id} has no version {v}.");
        }
        if (r.IsDeleted) throw Gone(r);
        if (NotModified(req, r)) return new FhirResponse { Status = 304, VersionId = r.VersionId, LastModified = r.LastUpdated };
        return ResourceResponse(r);
    }

    private static FhirException Gone(StoredResource r)
    {
        var e = new FhirException(410, "deleted", $"{r.ResourceType}/{r.Id} was deleted (version {r.VersionId}).");
        e.Headers["ETag"] = $"W/\"{r.VersionId}\"";
        return e;
    }

    /// <summary>If-None-Match (ETag) and If-Modified-Since on reads.</summary>
    private static bool NotModified(FhirRequest req, StoredResource r)
    {
        if (req.Header("If-None-Match") is { } inm)
            return inm == "*" || inm.Split(',').Any(t => ParseETag(t.Trim()) == r.VersionId);
        if (req.Header("If-Modified-Since") is { } ims &&
            DateTimeOffset.TryParse(ims, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since))
            return TruncateToSeconds(r.LastUpdated) <= since;
        return false;
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset d) => new(d.Ticks - d.Ticks % TimeSpan.TicksPerSecond, d.Offset);

    /// <summary>W/"3", "3" or 3 → 3; null when not a version ETag.</summary>
    internal static long? ParseETag(string? etag)
    {
        if (etag is null) return null;
        var s = etag.Trim();
        if (s.StartsWith("W/", StringComparison.OrdinalIgnoreCase)) s = s[2..];
        s = s.Trim('"');
        return long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
    }
}
