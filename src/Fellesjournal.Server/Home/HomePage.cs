using System.Net;
using System.Text;
using Fellesjournal.Server.Demo;
using Fellesjournal.Server.Http;
using Fellesjournal.Server.Security;
using Fellesjournal.Storage;

namespace Fellesjournal.Server.Home;

/// <summary>The page at "/": what is running and where to start (bokmål first, English second).</summary>
public sealed class HomePage(IResourceStore store, ServerOptions options, DemoPopulation demo, TrustSetup trust)
{
    private static readonly string[] CountedTypes =
        ["Patient", "Practitioner", "Organization", "Encounter", "Observation", "Condition", "MedicationRequest"];

    public async Task RenderAsync(HttpContext ctx)
    {
        var baseUrl = $"{ctx.Request.Scheme}://{ctx.Request.Host}{ctx.Request.PathBase}{FhirHttpHandler.BasePath}";
        var h = new StringBuilder();
        string E(string s) => WebUtility.HtmlEncode(s);
        h.Append("<!DOCTYPE html><html lang=\"nb\"><head><meta charset=\"utf-8\"><title>Fellesjournal</title>")
         .Append("<style>body{font-family:system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 1em;line-height:1.5}")
         .Append("code{background:#f2f2f2;padding:0 .3em}table{border-collapse:collapse}td,th{padding:.2em .8em;border-bottom:1px solid #ddd;text-align:left}</style></head><body>");
        h.Append("<h1>Fellesjournal</h1>");
        if (trust.Dev is not null)
            h.Append("<p style=\"background:#b00020;color:#fff;padding:.6em 1em;font-weight:bold\">UTVIKLINGSMODUS: innebygd identitet er på. ")
             .Append("<code style=\"color:#000\">/dev/token</code> utsteder tokens for demobrukere til hvem som helst. Bruk aldri med ekte pasientdata.<br>")
             .Append("<span lang=\"en\">DEVELOPMENT ONLY: built-in identity is on. /dev/token issues tokens for demo personas to anyone. Never use with real patient data.</span></p>")
             .Append("<p>Token: <a href=\"/dev/personas\">/dev/personas</a>, <code>GET /dev/token?persona=gp</code> → <code>Authorization: Bearer &lt;access_token&gt;</code></p>");
        else if (trust.RefusalReason is not null)
            h.Append("<p style=\"background:#fff3cd;padding:.6em 1em\">Ingen tokenutstedere er konfigurert, så serveren gir ingen tilgang til pasientdata. ")
             .Append("<span lang=\"en\">No token issuers are configured, so the server gives no access to patient data.</span></p>");
        h.Append("<p><strong>Én innbygger – én journal.</strong> Denne maskinen kjører en FHIR R4-server. ")
         .Append($"FHIR-basen er <code>{E(baseUrl)}</code>.</p>");
        h.Append("<p lang=\"en\"><em>One citizen – one record. This machine runs a FHIR R4 server. ")
         .Append($"The FHIR base is <code>{E(baseUrl)}</code>.</em></p>");
        h.Append("<ul>")
         .Append($"<li><a href=\"{E(baseUrl)}/metadata\">Hva serveren kan (CapabilityStatement)</a> / <span lang=\"en\">What the server supports</span></li>")
         .Append($"<li><a href=\"{E(baseUrl)}/Patient\">Pasienter (søk)</a> / <span lang=\"en\">Patients (search)</span></li>")
         .Append("<li>API-dokumentasjon: <code>docs/api.md</code> i kildekoden / <span lang=\"en\">API documentation: <code>docs/api.md</code> in the source tree</span></li>")
         .Append("</ul>");
        h.Append("<h2>Innhold <span lang=\"en\">/ Contents</span></h2>");
        try
        {
            h.Append("<table><tr><th>Ressurstype / Resource type</th><th>Antall / Count</th></tr>");
            var all = await store.SearchAsync(new SearchQuery(null, [], Count: 0, IncludeTotal: true), ctx.RequestAborted);
            foreach (var t in CountedTypes)
            {
                var page = await store.SearchAsync(new SearchQuery(t, [], Count: 0, IncludeTotal: true), ctx.RequestAborted);
                h.Append($"<tr><td><a href=\"{E(baseUrl)}/{t}\">{t}</a></td><td>{page.Total?.ToString() ?? "?"}</td></tr>");
            }
            h.Append($"<tr><th>Totalt / Total</th><th>{all.Total?.ToString() ?? "?"}</th></tr></table>");
            if (options.Demo) AppendDemo(h, baseUrl, E);
        }
        catch (Exception e)
        {
            h.Append($"<p>Lageret svarer ikke / <span lang=\"en\">The store does not answer</span>: {E(e.Message)}</p>");
        }
        h.Append($"<p><small>Data: <code>{E(Path.GetFullPath(options.DataDir))}</code></small></p></body></html>");
        ctx.Response.ContentType = "text/html; charset=utf-8";
        await ctx.Response.WriteAsync(h.ToString());
    }

    private void AppendDemo(StringBuilder h, string baseUrl, Func<string, string> E)
    {
        var status = demo.State switch
        {
            DemoPopulation.LoadState.Loading => $"laster inn, {demo.Loaded:N0} ressurser så langt / <span lang=\"en\">loading, {demo.Loaded:N0} resources so far</span>",
            DemoPopulation.LoadState.Done => $"lastet inn ({demo.Loaded:N0} ressurser) / <span lang=\"en\">loaded ({demo.Loaded:N0} resources)</span>",
            DemoPopulation.LoadState.Failed => $"feilet / <span lang=\"en\">failed</span>: {E(demo.Error ?? "")}",
            _ => "av / <span lang=\"en\">off</span>",
        };
        h.Append($"<p>Syntetisk befolkning med {demo.Patients} pasienter: {status}.</p>");
        h.Append("<h2>Demobrukere <span lang=\"en\">/ Demo personas</span></h2><ul>");
        foreach (var p in demo.Personas)
            h.Append($"<li><a href=\"{E(baseUrl)}/{E(p.Reference)}\">{E(p.Name)}</a> — {E(p.Description)}</li>");
        h.Append("</ul>");
    }
}
