using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fellesjournal.Server.Tests;

/// <summary>The same interactions over a real TCP connection (Kestrel), including raw HTTP.</summary>
public sealed class SocketTests
{
    [Fact]
    public async Task Crud_over_a_real_socket()
    {
        await using var server = await SocketServer.StartAsync();
        using var c = server.CreateClient();
        var created = await c.PostAsync("/fhir/Patient", Fhir.Json(Fhir.Patient()));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var location = created.Headers.Location!;
        Assert.StartsWith(server.BaseUrl + "/fhir/Patient/", location.ToString());
        var id = (string)(await Fhir.Body(created))["id"]!;
        var read = await c.GetAsync($"/fhir/Patient/{id}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("W/\"1\"", Fhir.ETag(read));
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync(location)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await c.DeleteAsync($"/fhir/Patient/{id}")).StatusCode);
        await Fhir.AssertOutcome(await c.GetAsync($"/fhir/Patient/{id}"), 410);
        var metadata = await Fhir.Body(await c.GetAsync("/fhir/metadata"));
        Assert.Equal(server.BaseUrl + "/fhir", (string?)metadata["implementation"]!["url"]);
    }

    [Fact]
    public async Task Large_body_without_content_length_is_413_and_raw_garbage_is_400()
    {
        await using var server = await SocketServer.StartAsync();
        var uri = new Uri(server.BaseUrl);
        // Chunked body beyond 16 MiB: refused while streaming.
        using (var c = server.CreateClient())
        {
            var big = new string('x', 17 * 1024 * 1024);
            var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"resourceType\":\"Patient\",\"gender\":\"" + big + "\"}")));
            content.Headers.ContentType = new("application/fhir+json");
            var req = new HttpRequestMessage(HttpMethod.Post, "/fhir/Patient") { Content = content };
            req.Headers.TransferEncodingChunked = true;
            var r = await c.SendAsync(req);
            await Fhir.AssertOutcome(r, 413);
        }
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        var stream = tcp.GetStream();
        var body = "{\"resourceType\":\"Patient\",";
        var raw = $"POST /fhir/Patient HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TestTokens.System()}\r\nContent-Type: application/fhir+json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(raw));
        var response = await new StreamReader(stream).ReadToEndAsync();
        Assert.StartsWith("HTTP/1.1 400", response);
        Assert.Contains("OperationOutcome", response);
    }
}
