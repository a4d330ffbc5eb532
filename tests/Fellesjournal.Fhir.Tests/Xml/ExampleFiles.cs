using System.Text.Json;
using Fellesjournal.Fhir.Definitions;

namespace Fellesjournal.Fhir.Tests;

/// <summary>The official example resources of the installed HL7 package, and the shared conformance folder.</summary>
internal static class ExampleFiles
{
    /// <summary>Every <c>&lt;Type&gt;-&lt;id&gt;.json</c> of the package whose resourceType is the concrete resource type of its name.</summary>
    public static IReadOnlyList<string> Resources { get; } = Find();

    private static IReadOnlyList<string> Find()
    {
        var defs = FhirDefinitions.Default;
        var list = new List<string>();
        foreach (var f in Directory.EnumerateFiles(defs.PackageDirectory, "*.json").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(f);
            var dash = name.IndexOf('-');
            if (dash <= 0 || !defs.IsConcreteResourceType(name[..dash])) continue;
            list.Add(f);
        }
        return list;
    }

    /// <summary>../shared/conformance (relative to the repository root), or null when this machine has none.</summary>
    public static string? SharedConformance()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "definitions")))
            {
                var shared = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "conformance"));
                if (Directory.Exists(shared)) return shared;
                // Worktrees live one level deeper (/work/wt/name): look one more level up.
                shared = Path.GetFullPath(Path.Combine(dir.FullName, "..", "..", "shared", "conformance"));
                return Directory.Exists(shared) ? shared : null;
            }
        }
        return null;
    }
}
