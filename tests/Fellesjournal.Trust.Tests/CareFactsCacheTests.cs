using System.Text;
using System.Text.Json;
using Fellesjournal.Storage;
using Fellesjournal.Storage.Sqlite;
using Fellesjournal.Trust.Access;

using static Fellesjournal.Trust.Tests.StoreWrites;

namespace Fellesjournal.Trust.Tests;

/// <summary>
/// The per-patient facts cache of <see cref="CareFactsReader"/>: used when nothing changed, and never once a fact it
/// was derived from changed, whether this store instance or a second one on the same database file (another server
/// process) wrote it.
/// </summary>
public sealed class CareFactsCacheTests : IAsyncDisposable
{
    private const string Hpr = "urn:oid:2.16.578.1.12.4.1.4.4";
    private const string Org = "urn:oid:2.16.578.1.12.4.1.4.101";
    private const string Ctl = CitizenControlCodes.System;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fj-facts-cache-" + Guid.NewGuid().ToString("N"));
    private readonly SqliteResourceStore _store;
    private readonly CountingStore _counted;
    private readonly CareFactsReader _reader;

    public CareFactsCacheTests()
    {
        _store = SqliteResourceStore.Open(_dir);
        _counted = new CountingStore(_store);
        _reader = new CareFactsReader(_counted);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private static string Encounter(string id, string patient, string status, string org = "hosp") =>
        $$$"""{"resourceType":"Encounter","id":"{{{id}}}","status":"{{{status}}}","class":{"code":"IMP"},"subject":{"reference":"Patient/{{{patient}}}"},"serviceProvider":{"reference":"Organization/{{{org}}}"}}""";

    private static string Consent(string id, string patient, string kind, string status = "active", string provision = """{"type":"deny","class":[{"system":"http://hl7.org/fhir/resource-types","code":"Condition"}]}""") =>
        $$$"""{"resourceType":"Consent","id":"{{{id}}}","status":"{{{status}}}","scope":{"coding":[{"code":"patient-privacy"}]},"category":[{"coding":[{"system":"{{{Ctl}}}","code":"{{{kind}}}"}]}],"patient":{"reference":"Patient/{{{patient}}}"},"provision":{{{provision}}}}""";

    private Task Seed() => _store.MergeAsync([
        Put($$$"""{"resourceType":"Organization","id":"hosp","identifier":[{"system":"{{{Org}}}","value":"983710018"}]}"""),
        Put($$$"""{"resourceType":"Organization","id":"kommune","identifier":[{"system":"{{{Org}}}","value":"912500004"}]}"""),
        Put($$$"""{"resourceType":"Practitioner","id":"gp","identifier":[{"system":"{{{Hpr}}}","value":"565501872"}]}"""),
        Put("""{"resourceType":"Patient","id":"kari","birthDate":"1985-03-15","generalPractitioner":[{"reference":"Practitioner/gp"}]}"""),
        Put("""{"resourceType":"Patient","id":"emma","birthDate":"2015-04-05"}"""),
        Put(Encounter("e1", "kari", "in-progress")),
        Put(Consent("c-lock", "kari", "sperring")),
    ]);

    private Task Write(IResourceStore store, string json) => store.MergeAsync([Put(json)]);

    [Fact]
    public async Task Unchanged_facts_come_from_the_cache_with_one_marker_read()
    {
        await Seed();
        var (first, _) = await _reader.ReadAsync("kari");
        Assert.True(_counted.Reads > 0);
        _counted.Reset();
        var (second, controls) = await _reader.ReadAsync("kari");
        Assert.Equal(0, _counted.Reads); // no search, no read: nothing was written since
        Assert.Equal(1, _counted.StoreMarkers);
        Assert.Equal(0, _counted.Markers);
        Assert.Same(first, second);
        Assert.Single(controls.Locks);
    }

    [Fact]
    public async Task After_an_unrelated_write_the_patients_own_marker_decides_and_the_entry_is_kept()
    {
        await Seed();
        var (first, _) = await _reader.ReadAsync("kari");
        await Write(_store, Encounter("e5", "emma", "in-progress")); // another patient's fact
        _counted.Reset();
        var (second, _) = await _reader.ReadAsync("kari");
        Assert.Equal(0, _counted.Reads);
        Assert.Equal(1, _counted.Markers); // the store's marker moved, so Kari's rows were checked: unchanged
        Assert.Same(first, second);
        _counted.Reset();
        await _reader.ReadAsync("kari");
        Assert.Equal((1, 0, 0), (_counted.StoreMarkers, _counted.Markers, _counted.Reads)); // validated at the new marker
    }

    [Fact]
    public async Task A_new_consent_decides_the_very_next_read()
    {
        await Seed();
        Assert.Empty((await _reader.ReadAsync("kari")).Controls.BlockedHpr);
        await Write(_store, Consent("c-block", "kari", "blokkering",
            provision: $$$$"""{"type":"deny","actor":[{"role":{"text":"blocked"},"reference":{"identifier":{"system":"{{{{Hpr}}}}","value":"412345678"}}}]}"""));
        Assert.Equal(["412345678"], (await _reader.ReadAsync("kari")).Controls.BlockedHpr);
    }

    [Fact]
    public async Task A_revoked_or_deleted_consent_stops_counting_on_the_next_read()
    {
        await Seed();
        Assert.Single((await _reader.ReadAsync("kari")).Controls.Locks);
        await Write(_store, Consent("c-lock", "kari", "sperring", status: "inactive"));
        Assert.Empty((await _reader.ReadAsync("kari")).Controls.Locks);
        await Write(_store, Consent("c-lock", "kari", "sperring"));
        Assert.Single((await _reader.ReadAsync("kari")).Controls.Locks);
        await _store.MergeAsync([new ResourceWrite("Consent", "c-lock", null)]);
        Assert.Empty((await _reader.ReadAsync("kari")).Controls.Locks);
    }

    [Fact]
    public async Task A_finished_encounter_no_longer_grants_on_the_next_read()
    {
        await Seed();
        Assert.Single((await _reader.ReadAsync("kari")).Facts.Relations, r => r.Kind == CareRelationKind.Encounter);
        await Write(_store, Encounter("e1", "kari", "finished"));
        Assert.DoesNotContain((await _reader.ReadAsync("kari")).Facts.Relations, r => r.Kind == CareRelationKind.Encounter);
    }

    [Fact]
    public async Task An_encounter_moved_to_another_patient_is_gone_although_it_was_not_the_newest_fact()
    {
        // e1 is older than the Consent, so the highest seq among Kari's rows does not change when e1 leaves: only
        // the count of rows does.
        await Seed();
        Assert.Single((await _reader.ReadAsync("kari")).Facts.Relations, r => r.Kind == CareRelationKind.Encounter);
        await Write(_store, Encounter("e1", "emma", "in-progress"));
        Assert.DoesNotContain((await _reader.ReadAsync("kari")).Facts.Relations, r => r.Kind == CareRelationKind.Encounter);
        Assert.Single((await _reader.ReadAsync("emma")).Facts.Relations, r => r.Kind == CareRelationKind.Encounter);
    }

    [Fact]
    public async Task A_changed_practitioner_or_organisation_is_seen_on_the_next_read()
    {
        await Seed();
        var (facts, _) = await _reader.ReadAsync("kari");
        Assert.Equal("565501872", Assert.Single(facts.Relations, r => r.Kind == CareRelationKind.GeneralPractitioner).PractitionerHpr);
        Assert.Equal("983710018", Assert.Single(facts.Relations, r => r.Kind == CareRelationKind.Encounter).OrganisationNumber);
        await Write(_store, $$"""{"resourceType":"Practitioner","id":"gp","identifier":[{"system":"{{Hpr}}","value":"723456789"}]}""");
        await Write(_store, $$"""{"resourceType":"Organization","id":"hosp","identifier":[{"system":"{{Org}}","value":"874230006"}]}""");
        (facts, _) = await _reader.ReadAsync("kari");
        Assert.Equal("723456789", Assert.Single(facts.Relations, r => r.Kind == CareRelationKind.GeneralPractitioner).PractitionerHpr);
        Assert.Equal("874230006", Assert.Single(facts.Relations, r => r.Kind == CareRelationKind.Encounter).OrganisationNumber);
    }

    [Fact]
    public async Task A_referenced_resource_that_did_not_exist_is_seen_once_it_is_created()
    {
        await Seed();
        await Write(_store, Encounter("e2", "emma", "in-progress", org: "later"));
        Assert.Null(Assert.Single((await _reader.ReadAsync("emma")).Facts.Relations).OrganisationNumber);
        await Write(_store, $$"""{"resourceType":"Organization","id":"later","identifier":[{"system":"{{Org}}","value":"912500004"}]}""");
        Assert.Equal("912500004", Assert.Single((await _reader.ReadAsync("emma")).Facts.Relations).OrganisationNumber);
    }

    [Fact]
    public async Task A_write_through_a_second_store_on_the_same_database_is_seen_on_the_next_read()
    {
        // Two store instances on one file stand for two server processes on one database.
        await Seed();
        await using var other = new SqliteResourceStore(_store.FilePath);
        Assert.Single((await _reader.ReadAsync("kari")).Controls.Locks);
        Assert.DoesNotContain((await _reader.ReadAsync("emma")).Facts.Relations, r => r.Kind == CareRelationKind.Encounter);

        await Write(other, Consent("c-lock", "kari", "sperring", status: "inactive"));
        await Write(other, Encounter("e9", "emma", "in-progress", org: "kommune"));
        await Write(other, """{"resourceType":"Patient","id":"emma","birthDate":"2015-04-06"}""");

        Assert.Empty((await _reader.ReadAsync("kari")).Controls.Locks);
        var (emma, _) = await _reader.ReadAsync("emma");
        Assert.Equal("912500004", Assert.Single(emma.Relations, r => r.Kind == CareRelationKind.Encounter).OrganisationNumber);
        Assert.Equal(new DateOnly(2015, 4, 6), emma.BirthDate);
    }

    /// <summary>Counts the reads and searches that reach the store, and the marker reads.</summary>
    private sealed class CountingStore(SqliteResourceStore inner) : IResourceStore, IChangeMarkers
    {
        public int Reads;
        public int Markers;
        public int StoreMarkers;
        public void Reset() { Reads = 0; Markers = 0; StoreMarkers = 0; }

        public Task<IReadOnlyList<StoredResource>> MergeAsync(IReadOnlyList<ResourceWrite> batch, CancellationToken ct = default) => inner.MergeAsync(batch, ct);
        public Task<T> InTransactionAsync<T>(Func<IStoreTransaction, Task<T>> work, CancellationToken ct = default) => inner.InTransactionAsync(work, ct);
        public Task<StoredResource?> GetAsync(string resourceType, string id, CancellationToken ct = default) { Interlocked.Increment(ref Reads); return inner.GetAsync(resourceType, id, ct); }
        public Task<StoredResource?> GetVersionAsync(string resourceType, string id, long versionId, CancellationToken ct = default) => inner.GetVersionAsync(resourceType, id, versionId, ct);
        public Task<HistoryPage> HistoryAsync(HistoryQuery query, CancellationToken ct = default) => inner.HistoryAsync(query, ct);
        public Task<SearchPage> SearchAsync(SearchQuery query, CancellationToken ct = default) { Interlocked.Increment(ref Reads); return inner.SearchAsync(query, ct); }
        public Task<ChangeMarker> ReferenceMarkerAsync(string targetId, IReadOnlyList<(string Type, string Param)> via, IReadOnlyList<(string Type, string Id)> resources, CancellationToken ct = default)
        { Interlocked.Increment(ref Markers); return inner.ReferenceMarkerAsync(targetId, via, resources, ct); }
        public Task<long> TypeMarkerAsync(string resourceType, CancellationToken ct = default) { Interlocked.Increment(ref Markers); return inner.TypeMarkerAsync(resourceType, ct); }
        public Task<long> StoreMarkerAsync(CancellationToken ct = default) { Interlocked.Increment(ref StoreMarkers); return inner.StoreMarkerAsync(ct); }
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
