namespace Fellesjournal.Storage.Sqlite;

/// <summary>An argument resolved when the query runs: the first seq whose lastUpdated is at or after
/// <paramref name="Millis"/> (max seq + 1 when there is none).</summary>
internal sealed record SeqAtOrAfter(long Millis);
