using Fellesjournal.Storage;
using static Fellesjournal.Storage.Tests.TempStore;

namespace Fellesjournal.Storage.Tests;

public class StoreVersioningTests
{
    [Fact]
    public async Task Create_stamps_meta_and_get_returns_the_same_bytes()
    {
        await using var t = new TempStore();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var stored = (await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"p1","active":true,"name":[{"family":"Nordmann"}]}""")]))[0];
        Assert.Equal(1, stored.VersionId);
        Assert.True(stored.Created);
        Assert.False(stored.IsDeleted);
        Assert.InRange(stored.LastUpdated, before, DateTimeOffset.UtcNow.AddSeconds(1));
        var meta = Parse(stored).GetProperty("meta");
        Assert.Equal("1", meta.GetProperty("versionId").GetString());
        var lu = meta.GetProperty("lastUpdated").GetString()!;
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", lu);
        Assert.Equal(stored.LastUpdated, DateTimeOffset.Parse(lu, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("""{"resourceType":"Patient","meta":{"versionId":"1","lastUpdated":"LU"},"id":"p1","active":true,"name":[{"family":"Nordmann"}]}""".Replace("LU", lu), Text(stored));

        var got = await t.Store.GetAsync("Patient", "p1");
        Assert.NotNull(got);
        Assert.Equal(Text(stored), Text(got));
        Assert.Equal(stored.LastUpdated, got.LastUpdated);
        Assert.Null(await t.Store.GetAsync("Patient", "nope"));
        Assert.Null(await t.Store.GetAsync("Observation", "p1"));
    }

    [Fact]
    public async Task Existing_meta_keeps_its_other_elements_and_loses_stale_version()
    {
        await using var t = new TempStore();
        var s = (await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"p1","meta":{"versionId":"77","profile":["http://x/p"],"lastUpdated":"2000-01-01T00:00:00Z"},"active":false}""")]))[0];
        var text = Text(s);
        Assert.StartsWith("""{"resourceType":"Patient","id":"p1","meta":{"versionId":"1","lastUpdated":""", text);
        Assert.EndsWith(""","profile":["http://x/p"]},"active":false}""", text);
    }

    [Fact]
    public async Task Updates_get_monotonic_versions_and_history_newest_first()
    {
        await using var t = new TempStore();
        for (var i = 0; i < 5; i++)
            await t.Store.MergeAsync([Put($$"""{"resourceType":"Patient","id":"p1","birthDate":"19{{70 + i}}"}""")]);
        var cur = await t.Store.GetAsync("Patient", "p1");
        Assert.Equal(5, cur!.VersionId);
        Assert.Contains("1974", Text(cur));
        var v2 = await t.Store.GetVersionAsync("Patient", "p1", 2);
        Assert.Contains("1971", Text(v2!));
        Assert.Equal("2", Parse(v2!).GetProperty("meta").GetProperty("versionId").GetString());
        Assert.Null(await t.Store.GetVersionAsync("Patient", "p1", 6));

        var h = await t.Store.HistoryAsync(new HistoryQuery("Patient", "p1"));
        Assert.Equal([5L, 4, 3, 2, 1], h.Entries.Select(e => e.VersionId));
        Assert.Null(h.NextCursor);
    }

    [Fact]
    public async Task Delete_writes_a_versioned_tombstone()
    {
        await using var t = new TempStore();
        await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"p1"}""")]);
        var del = (await t.Store.MergeAsync([new ResourceWrite("Patient", "p1", null)]))[0];
        Assert.True(del.IsDeleted);
        Assert.Equal(2, del.VersionId);
        var got = await t.Store.GetAsync("Patient", "p1");
        Assert.True(got!.IsDeleted);
        Assert.Equal(2, got.VersionId);
        Assert.True(got.Json.IsEmpty);
        // Deleting again writes nothing new; re-creating continues the version sequence.
        var again = (await t.Store.MergeAsync([new ResourceWrite("Patient", "p1", null)]))[0];
        Assert.Equal(2, again.VersionId);
        var back = (await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"p1"}""")]))[0];
        Assert.Equal(3, back.VersionId);
        Assert.False(back.Created);
        var h = await t.Store.HistoryAsync(new HistoryQuery("Patient", "p1"));
        Assert.Equal([false, true, false], h.Entries.Select(e => e.IsDeleted));
        // Deleting something that never existed writes nothing.
        var none = (await t.Store.MergeAsync([new ResourceWrite("Patient", "ghost", null)]))[0];
        Assert.Equal(0, none.VersionId);
        Assert.Null(await t.Store.GetAsync("Patient", "ghost"));
    }

    [Fact]
    public async Task Preconditions_fail_with_conflict_and_write_nothing()
    {
        await using var t = new TempStore();
        await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"p1"}""")]);
        await Assert.ThrowsAsync<VersionConflictException>(() =>
            t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"p2"}"""), Put("""{"resourceType":"Patient","id":"p1"}""", mustNotExist: true)]));
        await Assert.ThrowsAsync<VersionConflictException>(() =>
            t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"p3"}"""), Put("""{"resourceType":"Patient","id":"p1"}""", ifMatch: 7)]));
        var ex = await Assert.ThrowsAsync<VersionConflictException>(() =>
            t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"new"}""", ifMatch: 1)]));
        Assert.Equal("new", ex.Id);
        Assert.Null(await t.Store.GetAsync("Patient", "p2"));
        Assert.Null(await t.Store.GetAsync("Patient", "p3"));
        Assert.Equal(1, (await t.Store.GetAsync("Patient", "p1"))!.VersionId);
        var ok = await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"p1"}""", ifMatch: 1)]);
        Assert.Equal(2, ok[0].VersionId);
        var system = await t.Store.HistoryAsync(new HistoryQuery());
        Assert.Equal(2, system.Entries.Count);
    }

    [Fact]
    public async Task Invalid_json_in_a_batch_writes_nothing()
    {
        await using var t = new TempStore();
        await Assert.ThrowsAnyAsync<Exception>(() =>
            t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"a"}"""),
                new ResourceWrite("Patient", "b", "{not json"u8.ToArray())]));
        Assert.Null(await t.Store.GetAsync("Patient", "a"));
    }

    [Fact]
    public async Task Data_survives_reopen()
    {
        await using var t = new TempStore();
        var s = await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"p1","gender":"female"}"""), Put("""{"resourceType":"Patient","id":"p2"}""")]);
        await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"p1","gender":"male"}""")]);
        await t.ReopenAsync();
        var got = await t.Store.GetAsync("Patient", "p1");
        Assert.Equal(2, got!.VersionId);
        Assert.Contains("male", Text(got));
        Assert.Equal(Text(s[1]), Text((await t.Store.GetAsync("Patient", "p2"))!));
        // Versions and the global sequence continue after reopening.
        var next = await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"p1"}""")]);
        Assert.Equal(3, next[0].VersionId);
        var h = await t.Store.HistoryAsync(new HistoryQuery("Patient"));
        Assert.Equal(4, h.Entries.Count);
        Assert.Equal(["p1", "p1", "p2", "p1"], h.Entries.Select(e => e.Id));
    }
}

public class StoreInputTests
{
    [Fact]
    public async Task Json_must_match_the_write_type_and_id()
    {
        await using var t = new TempStore();
        await Assert.ThrowsAsync<ArgumentException>(() => t.Store.MergeAsync(
            [new ResourceWrite("Patient", "a", System.Text.Encoding.UTF8.GetBytes("""{"resourceType":"Observation","id":"a"}"""))]));
        await Assert.ThrowsAsync<ArgumentException>(() => t.Store.MergeAsync(
            [new ResourceWrite("Patient", "a", System.Text.Encoding.UTF8.GetBytes("""{"resourceType":"Patient","id":"b"}"""))]));
        Assert.Null(await t.Store.GetAsync("Patient", "a"));
        // Without an id in the JSON the write's id is used as given.
        var s = await t.Store.MergeAsync([new ResourceWrite("Patient", "a", System.Text.Encoding.UTF8.GetBytes("""{"resourceType":"Patient"}"""))]);
        Assert.Equal(1, s[0].VersionId);
    }
}
