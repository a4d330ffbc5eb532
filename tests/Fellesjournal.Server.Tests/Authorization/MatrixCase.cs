using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Server.Tests.Authorization;

/// <summary>
/// One row of the authorization matrix: who sends what, and exactly what must come back. <see cref="Ids"/> is the
/// sorted list of resource ids in the body (every page, following <c>next</c>; one per history version); the body
/// must name nothing of a compartment outside the groups of those ids (plus <see cref="Visible"/>).
/// </summary>
public sealed record MatrixCase(string Persona, string Method, string Url, int Status)
{
    public string[]? Ids { get; init; }
    public int? Total { get; init; }
    public string? Body { get; init; }
    public (string Name, string Value)[] Headers { get; init; } = [];
    /// <summary>Transaction/batch responses: each entry's status code, in order.</summary>
    public int[]? EntryStatuses { get; init; }
    /// <summary>Groups whose content may appear besides those of <see cref="Ids"/>.</summary>
    public string[] Visible { get; init; } = [];
    /// <summary>An id in <see cref="Url"/> the caller may not see: the same URL with a never-existing id must give the same answer.</summary>
    public string? HiddenId { get; init; }
    /// <summary>What replaces <see cref="HiddenId"/> for the comparison.</summary>
    public string Missing { get; init; } = "mx-never-existed";
    /// <summary>A text the OperationOutcome must contain.</summary>
    public string? Says { get; init; }
    /// <summary>A search afterwards (persona, URL, exact ids; "*" stands for one server-assigned id) that shows what
    /// the write did or did not do.</summary>
    public (string Persona, string Url, string[] Ids)? Then { get; init; }
    public string Name => $"{Persona} {Method} {Url}" + (Body is null ? "" : " [" + Label + "]");
    public string? Label { get; init; }
}

/// <summary>Tokens of the matrix personas and the runner that asserts a case.</summary>
public static class MatrixRunner
{
    /// <summary>A citizen holding a proxy (fullmakt) for mx-granter; no record of his own.</summary>
    public static readonly DemoPersona ProxyHolder = new()
    {
        Id = "proxy", Kind = PrincipalKind.Citizen, Name = "Per Fullmektig", Pid = MatrixWorld.ProxyHolderPid, Scopes = "openid patient/*.rs",
    };

    public const string EmergencyReason = "Bevisstløs i akuttmottak";

    public static string? Token(string persona) => persona switch
    {
        "none" => null,
        "proxy" => TestTokens.Issuer.Mint(ProxyHolder, new MintOptions { Lifetime = TestTokens.Lifetime }),
        "gp-etreat" => TestTokens.For("gp", new MintOptions { Purpose = PurposeOfUse.EmergencyTreat, PurposeDetails = EmergencyReason }),
        "gp-etreat-noreason" => TestTokens.For("gp", new MintOptions { Purpose = PurposeOfUse.EmergencyTreat }),
        "registry-narrow" => TestTokens.For("registry", new MintOptions { Scopes = "system/Patient.rs" }),
        "admin" => TestTokens.System(),
        "citizen-writer" => TestTokens.For("citizen", new MintOptions { Scopes = "openid patient/*.cruds" }),
        _ => TestTokens.For(persona),
    };

    private static readonly Dictionary<string, string?> Tokens = new();

    private static HttpRequestMessage Request(string persona, string method, string url, string? body, (string, string)[] headers)
    {
        var req = new HttpRequestMessage(new HttpMethod(method), url);
        if (body is not null)
            req.Content = new StringContent(body, Encoding.UTF8, method == "PATCH" ? "application/json-patch+json" : "application/fhir+json");
        foreach (var (k, v) in headers) req.Headers.TryAddWithoutValidation(k, v);
        string? token;
        lock (Tokens) if (!Tokens.TryGetValue(persona, out token)) Tokens[persona] = token = Token(persona);
        if (token is not null) req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return req;
    }

    public static async Task RunAsync(HttpClient client, MatrixCase c)
    {
        var r = await client.SendAsync(Request(c.Persona, c.Method, c.Url, c.Body, c.Headers));
        var text = await r.Content.ReadAsStringAsync();
        Assert.True((int)r.StatusCode == c.Status, $"{c.Name}: expected {c.Status}, got {(int)r.StatusCode}: {Cut(text)}");
        var pages = new List<string> { text };
        JsonNode? json = text.Length == 0 ? null : JsonNode.Parse(text);
        if (c.Status >= 400)
        {
            Assert.Equal("OperationOutcome", (string?)json?["resourceType"]);
            Assert.NotEmpty(json!["issue"]!.AsArray());
            if (c.Says is not null) Assert.Contains(c.Says, text);
        }

        var ids = new List<string>();
        int? total = null;
        if (json is JsonObject o && (string?)o["resourceType"] == "Bundle")
        {
            total = (int?)o["total"];
            var page = o;
            for (var n = 0; ; n++)
            {
                ids.AddRange(EntryIds(page));
                var next = page["link"]?.AsArray().FirstOrDefault(l => (string?)l!["relation"] == "next")?["url"];
                if (next is null) break;
                Assert.True(n < 50, "too many pages");
                var uri = new Uri((string)next!);
                var pr = await client.SendAsync(Request(c.Persona, "GET", uri.PathAndQuery, null, []));
                var pt = await pr.Content.ReadAsStringAsync();
                Assert.True(pr.IsSuccessStatusCode, $"{c.Name}: next page {(int)pr.StatusCode}: {Cut(pt)}");
                pages.Add(pt);
                page = JsonNode.Parse(pt)!.AsObject();
                Assert.Equal(total, (int?)page["total"]);
            }
            if (c.EntryStatuses is { } expected)
            {
                var got = o["entry"]!.AsArray().Select(e => (string)e!["response"]!["status"]!).Select(s => int.Parse(s.Split(' ')[0])).ToArray();
                Assert.True(expected.SequenceEqual(got), $"{c.Name}: entry statuses [{string.Join(",", got)}]: {Cut(text)}");
            }
        }
        else if (json is JsonObject single && (string?)single["resourceType"] != "OperationOutcome" && (string?)single["id"] is { } id)
            ids.Add(id);

        if (c.Ids is { } want)
        {
            ids.Sort(StringComparer.Ordinal);
            Assert.True(want.SequenceEqual(ids), $"{c.Name}: expected ids [{string.Join(",", want)}], got [{string.Join(",", ids)}]");
        }
        if (c.Total is { } t) Assert.True(t == total, $"{c.Name}: expected total {t}, got {total?.ToString() ?? "none"}");

        AssertNoLeak(c, ids, string.Join("\n", pages));

        if (c.HiddenId is { } hidden)
        {
            // A hidden id answers exactly as an id that never existed (status and message, ids aside).
            var missing = c.Missing;
            var m = await client.SendAsync(Request(c.Persona, c.Method, c.Url.Replace(hidden, missing), c.Body?.Replace(hidden, missing), c.Headers));
            var mt = await m.Content.ReadAsStringAsync();
            Assert.Equal((int)m.StatusCode, (int)r.StatusCode);
            Assert.Equal(mt.Replace(missing, "{id}"), text.Replace(hidden, "{id}"));
        }

        if (c.Then is { } then)
        {
            var tr = await client.SendAsync(Request(then.Persona, "GET", "/fhir/" + then.Url, null, []));
            var tt = await tr.Content.ReadAsStringAsync();
            Assert.True(tr.IsSuccessStatusCode, $"{c.Name}: then {(int)tr.StatusCode}: {Cut(tt)}");
            var after = EntryIds(JsonNode.Parse(tt)!.AsObject()).Order(StringComparer.Ordinal).ToArray();
            var known = then.Ids.Where(i => i != "*").ToArray();
            Assert.True(after.Length == then.Ids.Length && known.All(after.Contains) && after.Where(i => !known.Contains(i)).All(i => !i.StartsWith("mx-")), $"{c.Name}: afterwards expected [{string.Join(",", then.Ids)}], got [{string.Join(",", after)}]");
        }
    }

    private static IEnumerable<string> EntryIds(JsonObject bundle) =>
        (bundle["entry"]?.AsArray() ?? []).Select(e => e!["resource"]).OfType<JsonObject>()
            .Where(x => (string?)x["resourceType"] != "OperationOutcome").Select(x => (string?)x["id"]).OfType<string>();

    private static readonly Regex References = new("\"reference\"\\s*:\\s*\"[^\"]*\"", RegexOptions.Compiled);

    /// <summary>
    /// Zero leaks: outside reference values (a visible resource may point anywhere), the body names no id and no
    /// family name of a group the caller may not see, except what the request itself named.
    /// </summary>
    private static void AssertNoLeak(MatrixCase c, List<string> ids, string body)
    {
        var allowed = new HashSet<string>(c.Visible) { MatrixWorld.Shared };
        foreach (var id in ids) allowed.Add(MatrixWorld.GroupOf(id));
        var scanned = References.Replace(body, "\"reference\":\"\"");
        var request = c.Url + "\n" + c.Body;
        foreach (var group in MatrixWorld.AllGroups.Where(g => !allowed.Contains(g)))
            foreach (var token in MatrixWorld.TokensOf(group))
            {
                if (Word(token).IsMatch(request)) continue;
                var hit = Word(token).Match(scanned);
                Assert.False(hit.Success, $"{c.Name}: leak of '{token}' ({group}): …{(hit.Success ? Cut(scanned[Math.Max(0, hit.Index - 200)..], 400) : "")}");
            }
    }

    private static Regex Word(string token) => new($"(?<![A-Za-z0-9-]){Regex.Escape(token)}(?![A-Za-z0-9-])");

    private static string Cut(string s, int n = 1500) => s.Length <= n ? s : s[..n] + "…";
}
