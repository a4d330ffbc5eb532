using System.IO.Compression;
using System.Text;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Storage;
using Microsoft.Data.Sqlite;
using Fellesjournal.Storage.Tests.Postgres;
using Npgsql;
using static Fellesjournal.Storage.Tests.TempStore;

namespace Fellesjournal.Storage.Tests;

/// <summary>The stored form of resource JSON: LZ4 rows behind a format byte, Brotli rows of older databases still
/// read (docs/decisions/0031).</summary>
public class JsonCodecTests
{
    private static IEnumerable<byte[]> Examples() =>
        Directory.EnumerateFiles(FhirDefinitions.Default.PackageDirectory, "*.json").Order(StringComparer.Ordinal)
            .Where((_, i) => i % 7 == 0).Select(File.ReadAllBytes);

    [Fact]
    public void Round_trips_the_official_examples_in_both_forms()
    {
        var n = 0;
        foreach (var json in Examples())
        {
            var lz4 = JsonCodec.Compress(json);
            Assert.Equal(JsonCodec.Lz4Format, lz4[0]);
            Assert.Equal(json, JsonCodec.Decompress(lz4, json.Length));
            Assert.Equal(json, JsonCodec.Decompress(JsonCodec.CompressBrotli(json), json.Length));
            n++;
        }
        Assert.True(n > 500, $"only {n} examples");
    }

    [Fact]
    public void No_Brotli_stream_starts_with_the_LZ4_format_byte()
    {
        // Every window size the encoder is given (10..24 bits), with inputs short and long enough to pick each.
        foreach (var json in Examples().Take(200))
            for (var window = 10; window <= 24; window++)
            {
                var buffer = new byte[BrotliEncoder.GetMaxCompressedLength(json.Length)];
                Assert.True(BrotliEncoder.TryCompress(json, buffer, out _, JsonCodec.Quality, window));
                Assert.NotEqual(JsonCodec.Lz4Format, (byte)(buffer[0] & 0x7F));
            }
    }

    [Fact]
    public void Corrupt_or_truncated_rows_are_refused_not_misread()
    {
        var json = Encoding.UTF8.GetBytes("""{"resourceType":"Patient","id":"p1","name":[{"family":"Nordmann","given":["Ola","Kari"]}],"birthDate":"1980-01-01"}""");
        var lz4 = JsonCodec.Compress(json);
        Assert.Throws<InvalidDataException>(() => JsonCodec.Decompress(lz4[..^3], json.Length));
        Assert.Throws<InvalidDataException>(() => JsonCodec.Decompress(lz4, json.Length + 1));
        var brotli = JsonCodec.CompressBrotli(json);
        Assert.Throws<InvalidDataException>(() => JsonCodec.Decompress(brotli[..^2], json.Length));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_store_reads_rows_written_in_the_former_Brotli_form(string kind)
    {
        await using var t = new TempStore(kind);
        var json = """{"resourceType":"Patient","id":"p1","active":true,"name":[{"family":"Nordmann"}]}""";
        var stored = (await t.Store.MergeAsync([Put(json)]))[0];
        var bytes = stored.Json.ToArray();
        Assert.Equal(JsonCodec.Lz4Format, Convert.FromHexString(t.Query(kind == "sqlite"
            ? "SELECT hex(json) FROM resource_version WHERE res_id = 'p1'"
            : "SELECT encode(json, 'hex') FROM resource_version WHERE res_id = 'p1'")[0][0])[0]);

        // Rewrite the row as an older database holds it, then read it through the store.
        var brotli = JsonCodec.CompressBrotli(bytes);
        if (kind == "sqlite")
        {
            using var c = new SqliteConnection($"Data Source={Path.Combine(t.Dir, Sqlite.SqliteResourceStore.DefaultFileName)};Pooling=False");
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "UPDATE resource_version SET json = $j WHERE res_id = 'p1'";
            cmd.Parameters.AddWithValue("$j", brotli);
            Assert.Equal(1, cmd.ExecuteNonQuery());
        }
        else
        {
            using var c = new NpgsqlConnection(t.ConnectionString);
            c.Open();
            using var cmd = new NpgsqlCommand("UPDATE resource_version SET json = @j WHERE res_id = 'p1'", c);
            cmd.Parameters.AddWithValue("j", brotli);
            Assert.Equal(1, cmd.ExecuteNonQuery());
        }
        await t.ReopenAsync();
        var read = await t.Store.GetAsync("Patient", "p1");
        Assert.Equal(bytes, read!.Json.ToArray());
        var hits = await t.Store.SearchAsync(new SearchQuery("Patient", [new SearchCriterion("family", null, ["Nordmann"])]));
        Assert.Equal(bytes, Assert.Single(hits.Resources).Json.ToArray());
    }
}
