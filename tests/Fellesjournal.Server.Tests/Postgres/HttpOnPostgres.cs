using Fellesjournal.Server.Tests.Authorization;
using Fellesjournal.Server.Tests.Summary;

namespace Fellesjournal.Server.Tests.Postgres;

// The HTTP test classes a second time on the PostgreSQL store: each class below derives from the SQLite class and
// only swaps the fixture, so the tests themselves exist once. Every fixture gets its own database on the one
// PostgreSQL server of the test run (PostgresServer.Instance). Without PostgreSQL these rows are skipped.
//
// Not run on PostgreSQL (see docs/scale.md, "Same behaviour on both stores (tested)"):
// - CrashTests: SIGKILLs a server on a SQLite data directory and checks the WAL recovery of that file; the
//   PostgreSQL crash (pg_ctl -m immediate) is covered by PostgresFailureTests in the storage tests.
// - DemoTests, SocketTests, ImportTests, E2eTests, BenchSmokeTests: start a server on a SQLite data directory by
//   command-line settings (Kestrel, demo loader, `import`); they test hosting, not the store.
// - StoreFailureTests, BodyLimitTests, WriteCoalescerTests, Audit*Tests other than the wiring: no store or a
//   substitute store; PostgresHttpTests and AuditPostgresTests are PostgreSQL-only already.

[OnPostgres]
public sealed class AccessTestsOnPostgres(PostgresServerFixture server) : AccessTests(server), IClassFixture<PostgresServerFixture>;

[OnPostgres]
public sealed class AuditWiringTestsOnPostgres(PostgresServerFixture server) : AuditWiringTests(server), IClassFixture<PostgresServerFixture>;

[OnPostgres]
public sealed class AuthenticationTestsOnPostgres(PostgresServerFixture server) : AuthenticationTests(server), IClassFixture<PostgresServerFixture>;

[OnPostgres]
public sealed class BundleTestsOnPostgres(PostgresServerFixture server) : BundleTests(server), IClassFixture<PostgresServerFixture>;

[OnPostgres]
public sealed class ConcurrencyTestsOnPostgres(PostgresServerFixture server) : ConcurrencyTests(server), IClassFixture<PostgresServerFixture>;

[OnPostgres]
public sealed class ConditionalTestsOnPostgres(PostgresServerFixture server) : ConditionalTests(server), IClassFixture<PostgresServerFixture>;

[OnPostgres]
public sealed class CrudTestsOnPostgres(PostgresServerFixture server) : CrudTests(server), IClassFixture<PostgresServerFixture>;

[OnPostgres]
public sealed class FormatAndErrorTestsOnPostgres(PostgresServerFixture server) : FormatAndErrorTests(server), IClassFixture<PostgresServerFixture>;

[OnPostgres]
public sealed class HistoryTestsOnPostgres(PostgresServerFixture server) : HistoryTests(server), IClassFixture<PostgresServerFixture>;

[OnPostgres]
public sealed class IdentifierValidationTestsOnPostgres(PostgresServerFixture server) : IdentifierValidationTests(server), IClassFixture<PostgresServerFixture>;

[OnPostgres]
public sealed class MetadataAndHomeTestsOnPostgres(PostgresServerFixture server) : MetadataAndHomeTests(server), IClassFixture<PostgresServerFixture>;

[OnPostgres]
public sealed class PatchTestsOnPostgres(PostgresServerFixture server) : PatchTests(server), IClassFixture<PostgresServerFixture>;

[OnPostgres]
public sealed class ScopeRestrictionTestsOnPostgres(PostgresServerFixture server) : ScopeRestrictionTests(server), IClassFixture<PostgresServerFixture>;

[OnPostgres]
public sealed class SearchApiTestsOnPostgres(PostgresServerFixture server) : SearchApiTests(server), IClassFixture<PostgresServerFixture>;

[OnPostgres]
public sealed class SearchPagingHttpTestsOnPostgres(PostgresServerFixture server) : SearchPagingHttpTests(server), IClassFixture<PostgresServerFixture>;

[OnPostgres]
public sealed class SearchTestsOnPostgres(PostgresServerFixture server) : SearchTests(server), IClassFixture<PostgresServerFixture>;

[OnPostgres]
public sealed class MedicationOperationTestsOnPostgres() : MedicationOperationTests("postgres");

[OnPostgres]
public sealed class SummaryOperationTestsOnPostgres() : SummaryOperationTests("postgres");

/// <summary>The authorization matrix world on PostgreSQL.</summary>
public sealed class PostgresMatrixServer() : MatrixServer("postgres");

[OnPostgres]
public sealed class ReadMatrixOnPostgres(PostgresMatrixServer world) : ReadMatrixRows<PostgresMatrixServer>(world);

[OnPostgres]
public sealed class WriteMatrixOnPostgres(PostgresMatrixServer world) : WriteMatrixRows<PostgresMatrixServer>(world);

[OnPostgres]
public sealed class ExamplesAcceptanceTestsOnPostgres(Xunit.Abstractions.ITestOutputHelper output) : ExamplesAcceptanceTests(output)
{
    protected override string Store => "postgres";
}
