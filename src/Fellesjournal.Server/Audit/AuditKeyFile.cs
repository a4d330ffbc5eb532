using Fellesjournal.Trust.Audit;

namespace Fellesjournal.Server.Audit;

/// <summary>
/// The audit checkpoint key: an ECDSA P-256 PKCS#8 PEM outside the database. Configured as <c>Trust:AuditKeyPem</c>
/// (a path); without it a local key is generated on first start at <c>{data}/audit-key.pem</c> (mode 0600), with
/// its public half beside it (<c>audit-key.pub.pem</c>) for <c>fellesjournal audit verify</c>.
/// </summary>
public static class AuditKeyFile
{
    public const string ConfigKey = "Trust:AuditKeyPem";
    public const string LocalName = "audit-key.pem";
    public const string PublicName = "audit-key.pub.pem";

    /// <summary>Loads the configured key, or loads/creates the local one. <paramref name="isLocal"/> tells which.</summary>
    public static AuditCheckpointSigner LoadOrCreate(string? configuredPath, string dataDir, out bool isLocal)
    {
        if (!string.IsNullOrWhiteSpace(configuredPath))
        {
            isLocal = false;
            // A configured key that is missing is an error: silently generating another would orphan the checkpoints.
            if (!File.Exists(configuredPath))
                throw new FileNotFoundException($"The audit key {ConfigKey} = '{configuredPath}' does not exist.", configuredPath);
            return AuditCheckpointSigner.FromPem(File.ReadAllText(configuredPath));
        }
        isLocal = true;
        Directory.CreateDirectory(dataDir);
        var path = Path.Combine(dataDir, LocalName);
        if (File.Exists(path)) return AuditCheckpointSigner.FromPem(File.ReadAllText(path));

        var signer = AuditCheckpointSigner.Generate();
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var w = new StreamWriter(path, System.Text.Encoding.ASCII, options)) w.Write(signer.PrivateKeyPem());
        File.WriteAllText(Path.Combine(dataDir, PublicName), signer.PublicKeyPem());
        return signer;
    }

    /// <summary>The key a verifier uses: an explicit path, else the published public key, else the local private key.</summary>
    public static string? FindForVerify(string? explicitPath, string dataDir)
    {
        if (explicitPath is not null) return explicitPath;
        foreach (var name in new[] { PublicName, LocalName })
        {
            var p = Path.Combine(dataDir, name);
            if (File.Exists(p)) return p;
        }
        return null;
    }
}
