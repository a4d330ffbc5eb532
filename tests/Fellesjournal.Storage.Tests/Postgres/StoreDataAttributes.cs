using System.Reflection;
using Xunit.Sdk;

namespace Fellesjournal.Storage.Tests.Postgres;

/// <summary>Runs a theory against the SQLite store: rows ("sqlite") or, with <c>Indexers</c>, ("sqlite", indexer kind).</summary>
public sealed class SqliteStoreAttribute : DataAttribute
{
    public bool Indexers { get; set; }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => StoreRows.For("sqlite", Indexers);
}

/// <summary>Runs a theory against PostgreSQL; the rows are reported as skipped (with the reason) when the
/// PostgreSQL binaries are not installed.</summary>
public sealed class PostgresStoreAttribute : DataAttribute
{
    public bool Indexers { get; set; }

    public override string? Skip { get => PostgresServer.SkipReason; set { } }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => StoreRows.For("postgres", Indexers);
}

internal static class StoreRows
{
    public static IEnumerable<object[]> For(string store, bool indexers) =>
        indexers ? ((IEnumerable<object[]>)Tests.Indexers.Kinds()).Select(k => new object[] { store, k[0] }) : [new object[] { store }];
}
