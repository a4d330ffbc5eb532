using System.Globalization;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Xml;
using Fellesjournal.Server.Interactions;
using Fellesjournal.Server.Security;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Server.Http;

/// <summary>HTTP ⇄ <see cref="FhirRequest"/>/<see cref="FhirResponse"/>: content negotiation, body limits, headers, Prefer, _pretty/_summary/_elements.</summary>
public sealed class FhirHttpHandler(FhirService service, ServerOptions options, FhirDefinitions defs, FhirAuthentication authentication, IAccessAudit audit)
{
    public const string BasePath = "/fhir";

    public async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "";
        path = path.Length > BasePath.Length ? path[(BasePath.Length + 1)..].TrimEnd('/') : "";
        var query = QueryParams.Parse(ctx.Request.QueryString.Value);
        var pretty = query.LastOrDefault(kv => kv.Key == "_pretty").Value == "true";
        var summary = query.LastOrDefault(kv => kv.Key == "_summary").Value;
        var elements = query.LastOrDefault(kv => kv.Key == "_elements").Value;
        FhirRequest? req = null;
        FhirResponse resp;
        var format = FormatNegotiation.Format.Json;
        try
        {
            // Authentication comes first: nothing else (not even the body) is looked at for an unknown caller.
            Principal? caller = null;
            var upper = ctx.Request.Method.ToUpperInvariant();
            if (!BenchOpenBuild.AccessLayerOff && !FhirAuthentication.IsPublic(upper == "HEAD" ? "GET" : upper, path))
            {
                var auth = await authentication.AuthenticateAsync(ctx);
                if (!auth.Succeeded)
                {
                    // Probing without valid credentials is recorded too.
                    var action = Fellesjournal.Trust.Audit.AuditRecord.ActionFor(upper, upper == "GET" && !path.Contains('/'));
                    await audit.RecordAsync(Fellesjournal.Trust.Audit.AuditRecord.ForUnauthenticated(auth, action, path + ctx.Request.QueryString), ctx.RequestAborted);
                    throw FhirAuthentication.ToException(auth, ctx.Request.Headers.Authorization.ToString());
                }
                caller = auth.Principal;
            }
            format = FormatNegotiation.ForResponse(query.LastOrDefault(kv => kv.Key == "_format").Value, ctx.Request.Headers.Accept);
            if (format == FormatNegotiation.Format.Unsupported || format == FormatNegotiation.Format.Xml && !FormatNegotiation.XmlSupported)
                throw new FhirException(406, "not-supported",
                    $"Cannot produce the requested format ({query.LastOrDefault(kv => kv.Key == "_format").Value ?? ctx.Request.Headers.Accept.ToString()}); this server serves application/fhir+json.");
            var method = ctx.Request.Method.ToUpperInvariant();
            if (method == "HEAD") method = "GET";
            ReadOnlyMemory<byte>? body = null;
            if (method is "POST" or "PUT" or "PATCH" || ctx.Request.ContentLength > 0)
                body = await ReadBodyAsync(ctx);
            var contentType = ctx.Request.ContentType;
            if (body is { Length: > 0 })
            {
                var bodyFormat = FormatNegotiation.ForRequestBody(contentType);
                if (bodyFormat == FormatNegotiation.Format.Unsupported)
                    throw new FhirException(415, "not-supported", $"Unsupported Content-Type '{contentType}'; send application/fhir+json or application/fhir+xml.");
                if (bodyFormat == FormatNegotiation.Format.Xml)
                {
                    body = XmlToJson(body.Value);
                    contentType = FormatNegotiation.FhirJson;
                }
            }
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var h in new[] { "If-Match", "If-None-Match", "If-Modified-Since", "If-None-Exist", "Prefer" })
                if (ctx.Request.Headers.TryGetValue(h, out var v)) headers[h] = v.ToString();
            req = new FhirRequest
            {
                Method = method,
                Path = path,
                Query = query,
                Headers = headers,
                Body = body,
                ContentType = contentType,
                BaseUrl = $"{ctx.Request.Scheme}://{ctx.Request.Host}{ctx.Request.PathBase}{BasePath}",
                Caller = caller,
            };
            if (!Subsetting.IsValidSummary(summary)) throw FhirException.BadRequest($"_summary={summary} is not valid (true, text, data, count, false).", "_summary");
            resp = await service.HandleAsync(req, ctx.RequestAborted);
        }
        catch (Exception e)
        {
            resp = FhirResponse.FromError(service.ToFhirException(e)!);
        }
        await WriteAsync(ctx, req, resp, pretty, summary, elements, format == FormatNegotiation.Format.Xml);
    }

    private ReadOnlyMemory<byte> XmlToJson(ReadOnlyMemory<byte> xml)
    {
        try
        {
            return FhirXmlReader.ToJsonBytes(System.Text.Encoding.UTF8.GetString(xml.Span), defs);
        }
        catch (FhirXmlException e)
        {
            throw FhirException.BadRequest("The XML body is not valid FHIR XML: " + e.Message, code: "structure");
        }
    }

    private async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpContext ctx)
    {
        var limit = options.MaxBodyBytes;
        if (ctx.Request.ContentLength > limit) throw TooLarge(limit);
        using var ms = new MemoryStream(ctx.Request.ContentLength is { } len ? (int)Math.Min(len, 1 << 20) : 4096);
        var buffer = new byte[81920];
        int n;
        while ((n = await ctx.Request.Body.ReadAsync(buffer, ctx.RequestAborted)) > 0)
        {
            if (ms.Length + n > limit) throw TooLarge(limit);
            ms.Write(buffer, 0, n);
        }
        return ms.GetBuffer().AsMemory(0, (int)ms.Length);
    }

    private static FhirException TooLarge(long limit) =>
        new(413, "too-costly", $"The request body exceeds the limit of {limit} bytes.");

    private async Task WriteAsync(HttpContext ctx, FhirRequest? req, FhirResponse resp, bool pretty, string? summary, string? elements, bool xml)
    {
        var response = ctx.Response;
        var status = resp.Status;
        ReadOnlyMemory<byte>? body = null;
        if (status >= 400)
            body = (resp.Outcome ?? OperationOutcome.Single(IssueSeverity.Error, "exception", "Request failed.")).ToJsonBytes(pretty);
        else if (status == 304) body = null;
        else if (resp.IsWriteResult)
        {
            switch (req?.PreferReturn)
            {
                case "minimal":
                    break;
                case "OperationOutcome":
                    body = (resp.Outcome ?? OperationOutcome.Single(IssueSeverity.Information, "informational",
                        $"{FhirResponse.StatusLine(status)}{(resp.Location is null ? "" : ": " + resp.Location)}")).ToJsonBytes(pretty);
                    if (status == 204) status = 200;
                    break;
                default:
                    body = resp.Resource;
                    break;
            }
        }
        else
        {
            body = resp.Resource;
            if (body is { } b && resp.Subsettable && (summary is not null || elements is not null))
            {
                var subset = Subsetting.Apply(defs, b, summary, elements);
                if (subset is not null) body = ResourceJson.ToBytes(subset);
            }
        }

        response.StatusCode = status;
        if (resp.ETag is { } etag) response.Headers.ETag = etag;
        if (resp.LastModified is { } lm) response.Headers.LastModified = lm.ToUniversalTime().ToString("R", CultureInfo.InvariantCulture);
        if (resp.Location is { } loc) response.Headers.Location = loc;
        foreach (var (k, v) in resp.Headers) response.Headers[k] = v;
        if (body is not { } bytes || status is 204 or 304) return;
        if (xml)
        {
            try
            {
                bytes = System.Text.Encoding.UTF8.GetBytes(FhirXmlWriter.ToXml(System.Text.Encoding.UTF8.GetString(bytes.Span), defs));
                response.ContentType = FormatNegotiation.XmlContentType;
            }
            catch (Exception e) when (e is FhirXmlException or System.Text.Json.JsonException)
            {
                response.StatusCode = 500;
                bytes = OperationOutcome.Single(IssueSeverity.Error, "exception", "Cannot express the result as XML: " + e.Message).ToJsonBytes();
                response.ContentType = FormatNegotiation.JsonContentType;
            }
        }
        else
        {
            if (pretty) bytes = ResourceJson.Indent(bytes);
            response.ContentType = FormatNegotiation.JsonContentType;
        }
        response.ContentLength = bytes.Length;
        if (!HttpMethods.IsHead(ctx.Request.Method)) await response.Body.WriteAsync(bytes, ctx.RequestAborted);
    }

    /// <summary>An OperationOutcome response outside the FHIR routing (unknown paths, last-resort errors).</summary>
    public static async Task WriteOutcomeAsync(HttpContext ctx, int status, string code, string diagnostics, string? location = null)
    {
        var bytes = OperationOutcome.Single(IssueSeverity.Error, code, diagnostics, location).ToJsonBytes();
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = FormatNegotiation.JsonContentType;
        ctx.Response.ContentLength = bytes.Length;
        await ctx.Response.Body.WriteAsync(bytes);
    }
}
