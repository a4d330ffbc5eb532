namespace Fellesjournal.Fhir.Definitions;

/// <summary>Finds the installed HL7 package (definitions/node_modules/hl7.fhir.r4.examples).</summary>
public static class DefinitionsLocator
{
    public const string PackageName = "hl7.fhir.r4.examples";
    public const string EnvironmentVariable = "FELLESJOURNAL_DEFINITIONS";

    /// <summary>The folder holding the package's JSON files, or throws with a clear message.</summary>
    public static string FindPackageDirectory()
    {
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(env))
        {
            var fromEnv = Candidate(env);
            if (fromEnv is not null) return fromEnv;
            throw new DirectoryNotFoundException($"{EnvironmentVariable}={env} does not contain the {PackageName} package.");
        }
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var found = Candidate(Path.Combine(dir.FullName, "definitions"));
                if (found is not null) return found;
            }
        }
        throw new DirectoryNotFoundException(
            $"The FHIR definitions package {PackageName} was not found. Run 'npm ci' in definitions/ " +
            $"(the build does this) or set {EnvironmentVariable} to the definitions folder.");
    }

    private static string? Candidate(string definitionsDir)
    {
        foreach (var p in new[]
                 {
                     Path.Combine(definitionsDir, "node_modules", PackageName),
                     Path.Combine(definitionsDir, "node_modules", PackageName, "package"),
                     definitionsDir,
                 })
        {
            if (File.Exists(Path.Combine(p, "Bundle-types.json"))) return p;
        }
        return null;
    }
}
