using System.Text.Json.Nodes;
using Fellesjournal.Services.Summary;

namespace Fellesjournal.Services.Tests.Summary;

public sealed class DocumentSignerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fj-signer-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [Fact]
    public void The_key_is_generated_once_in_the_data_dir_with_mode_0600_and_reused()
    {
        string kid;
        using (var first = DocumentSigner.LoadOrCreate(null, _dir)) kid = first.KeyId;
        var path = Path.Combine(_dir, DocumentSigner.KeyFileName);
        Assert.True(File.Exists(path));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        using var again = DocumentSigner.LoadOrCreate(null, _dir);
        Assert.Equal(kid, again.KeyId);
    }

    [Fact]
    public void A_configured_key_that_does_not_exist_is_an_error_not_a_new_key()
    {
        Assert.Throws<FileNotFoundException>(() => DocumentSigner.LoadOrCreate(Path.Combine(_dir, "missing.pem"), _dir));
        Assert.False(Directory.Exists(_dir));
    }

    [Fact]
    public void Canonical_form_sorts_members_and_ignores_whitespace()
    {
        var a = JsonNode.Parse("""{ "b": [1, {"y": "x\n", "x": true}], "a": "æ\"" }""");
        var b = JsonNode.Parse("""{"a":"æ\"","b":[1,{"x":true,"y":"x\n"}]}""");
        Assert.Equal(JsonCanonicalizer.Canonicalize(a), JsonCanonicalizer.Canonicalize(b));
        Assert.Equal("""{"a":"æ\"","b":[1,{"x":true,"y":"x\n"}]}""", System.Text.Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize(a)));
    }

    [Fact]
    public void Canonical_form_of_parsed_and_built_values_is_the_same()
    {
        // Parsed values are copied from their source text when it has no escapes, decoded otherwise; built values are
        // encoded. All three must give the minimal-escape form.
        var parsed = JsonNode.Parse("""{"c":"pl\u00e5ss \/ \u0001","b":"Ås","a":1.50,"d":[null,false,"\t"]}""");
        var built = new JsonObject { ["c"] = "plåss / \u0001", ["b"] = "Ås", ["a"] = JsonNode.Parse("1.50"), ["d"] = new JsonArray(null, false, "\t") };
        const string expected = """{"a":1.50,"b":"Ås","c":"plåss / \u0001","d":[null,false,"\t"]}""";
        Assert.Equal(expected, System.Text.Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize(parsed)));
        Assert.Equal(expected, System.Text.Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize(built)));
    }

    [Fact]
    public void Canonical_form_sorts_escaped_and_non_ascii_names_by_their_decoded_text()
    {
        // "\u0062" is "b" and sorts between "a" and "c"; "é" (U+00E9) after "z"; more members than the first buffer holds.
        using var parsed = System.Text.Json.JsonDocument.Parse("""{"z":1,"\u00e9":2,"c":3,"\u0062":4,"a":5,"m":{"y":[{"q":1,"p":2}],"x":0}}""");
        Assert.Equal("""{"a":5,"b":4,"c":3,"m":{"x":0,"y":[{"p":2,"q":1}]},"z":1,"é":2}""",
            System.Text.Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize(parsed.RootElement)));
        var many = "{" + string.Join(",", Enumerable.Range(0, 40).Reverse().Select(i => $"\"k{i:D2}\":{i}")) + "}";
        using var wide = System.Text.Json.JsonDocument.Parse(many);
        Assert.Equal("{" + string.Join(",", Enumerable.Range(0, 40).Select(i => $"\"k{i:D2}\":{i}")) + "}",
            System.Text.Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize(wide.RootElement)));
    }
}
