using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fellesjournal.Trust.Identity;
using Microsoft.IdentityModel.Tokens;

namespace Fellesjournal.Services.Summary;

/// <summary>
/// Signs summary documents with the server's ECDSA P-256 key: an enveloped JWS (ES256, detached payload, RFC 7515
/// appendix F) over the canonical JSON of the Bundle without <c>id</c>, <c>meta</c> and <c>signature</c>, carried in
/// <c>Bundle.signature.data</c>. The key comes from a configured PEM file, or is generated once in the data directory
/// (mode 0600). The public key is <see cref="PublicJwkJson"/>; <see cref="Verify"/> is the reference check.
/// </summary>
public sealed class DocumentSigner : IDisposable
{
    public const string KeyFileName = "summary-signing-key.pem";
    public const string SignatureTypeSystem = "urn:iso-astm:E1762-95:2013";
    /// <summary>ASTM E1762 "Source Signature": the server attests it produced the document.</summary>
    public const string SignatureTypeCode = "1.2.840.10065.1.12.1.14";
    public const string TargetFormat = "application/fhir+json;canonicalization=http://hl7.org/fhir/canonicalization/json";

    private readonly ECDsa _key;
    private readonly string _encodedHeader;
    private readonly byte[] _signingInputPrefix;
    public string KeyId { get; }
    public string PublicJwkJson { get; }

    public DocumentSigner(ECDsa key)
    {
        if (key.KeySize != 256) throw new ArgumentException("The summary signing key must be ECDSA P-256.", nameof(key));
        _key = key;
        KeyId = JwkKeys.Thumbprint(key);
        PublicJwkJson = JwkKeys.PublicJwkJson(key, KeyId);
        _encodedHeader = Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes($$"""{"alg":"ES256","kid":"{{KeyId}}"}"""));
        _signingInputPrefix = Encoding.ASCII.GetBytes(_encodedHeader + ".");
    }

    public static DocumentSigner Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>The configured PEM (PKCS#8 private key) when given; else the data directory's key, created on first use.</summary>
    public static DocumentSigner LoadOrCreate(string? configuredPemPath, string dataDir)
    {
        var path = configuredPemPath ?? Path.Combine(dataDir, KeyFileName);
        var key = ECDsa.Create();
        if (File.Exists(path))
        {
            key.ImportFromPem(File.ReadAllText(path));
            return new DocumentSigner(key);
        }
        if (configuredPemPath is not null) throw new FileNotFoundException("The configured summary signing key does not exist.", path);
        key.Dispose();
        var created = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Directory.CreateDirectory(dataDir);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var f = new StreamWriter(path, Encoding.ASCII, options))
            f.Write(created.ExportPkcs8PrivateKeyPem());
        return new DocumentSigner(created);
    }

    /// <summary>The bytes the signature covers: the Bundle without id, meta and signature, canonicalized.</summary>
    public static byte[] SigningPayload(JsonElement bundle)
    {
        var buffer = new ArrayBufferWriter<byte>(16384);
        WritePayload(buffer, bundle);
        return buffer.WrittenSpan.ToArray();
    }

    private static void WritePayload(IBufferWriter<byte> output, JsonElement bundle) =>
        JsonCanonicalizer.Write(output, bundle, k => k is "id" or "meta" or "signature");

    // Reused per thread (signing is synchronous): a summary's canonical form is tens of KB, written and hashed once.
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_payload;

    /// <summary>The compact JWS with detached payload ("header..signature").</summary>
    public string Sign(JsonElement bundle)
    {
        var payload = t_payload ??= new ArrayBufferWriter<byte>(32768);
        payload.ResetWrittenCount();
        WritePayload(payload, bundle);
        // The signing input is base64url(header) "." base64url(payload), ASCII; it is hashed as it is encoded, in
        // chunks of whole base64 groups, instead of being built.
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(_signingInputPrefix);
        Span<byte> encoded = stackalloc byte[4096];
        for (var rest = payload.WrittenSpan; !rest.IsEmpty;)
        {
            var take = Math.Min(rest.Length, 3072);
            hash.AppendData(encoded[..Base64Url.EncodeToUtf8(rest[..take], encoded)]);
            rest = rest[take..];
        }
        if (payload.Capacity > 1 << 20) t_payload = null;
        var sig = _key.SignHash(hash.GetHashAndReset(), DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return _encodedHeader + ".." + Base64UrlEncoder.Encode(sig);
    }

    /// <summary>Checks a served document's <c>Bundle.signature</c> against a public JWK (what a receiver does).</summary>
    public static bool Verify(ReadOnlySpan<byte> documentJson, string publicJwkJson)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(documentJson.ToArray()); }
        catch (JsonException) { return false; }
        using (document)
        {
            var bundle = document.RootElement;
            if (Json.Str(bundle.Get("signature"), "data") is not { } data) return false;
            string jws;
            try { jws = Encoding.ASCII.GetString(Convert.FromBase64String(data)); }
            catch (FormatException) { return false; }
            var parts = jws.Split('.');
            if (parts is not [var header, "", var signature]) return false;
            var input = header + "." + Base64UrlEncoder.Encode(SigningPayload(bundle));
            using var jwk = JsonDocument.Parse(publicJwkJson);
            try { return JwkKeys.Verify(jwk.RootElement, "ES256", input, Base64UrlEncoder.DecodeBytes(signature)); }
            catch (FormatException) { return false; }
        }
    }

    public void Dispose() => _key.Dispose();
}
