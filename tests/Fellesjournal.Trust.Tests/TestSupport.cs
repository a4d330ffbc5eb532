using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Trust.Tests;

/// <summary>A clock tests can set.</summary>
public sealed class ManualTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}
