using System.Text;
using System.Text.Json;
using Fellesjournal.Storage;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Trust.Tests;

/// <summary>A clock tests can set.</summary>
public sealed class ManualTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>Writes for seeding a test store.</summary>
public static class StoreWrites
{
    /// <summary>A write of the resource as given, its type and id read from the JSON.</summary>
    public static ResourceWrite Put(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return new ResourceWrite(doc.RootElement.GetProperty("resourceType").GetString()!, doc.RootElement.GetProperty("id").GetString()!, Encoding.UTF8.GetBytes(json));
    }
}
