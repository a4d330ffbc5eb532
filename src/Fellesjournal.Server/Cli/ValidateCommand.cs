using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Validation;
using Fellesjournal.Fhir.Xml;

namespace Fellesjournal.Server.Cli;

/// <summary>validate &lt;file&gt;: validates a FHIR JSON or XML resource, prints the OperationOutcome; exit 0 valid, 1 invalid, 2 usage.</summary>
public static class ValidateCommand
{
    public static Task<int> RunAsync(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("Usage: validate <resource.json|xml>");
            return Task.FromResult(2);
        }
        var file = args[0];
        // `dotnet run --project` may start in the project folder: resolve relative paths against the caller's shell folder too.
        if (!File.Exists(file) && !Path.IsPathRooted(file) && Environment.GetEnvironmentVariable("PWD") is { Length: > 0 } pwd &&
            File.Exists(Path.Combine(pwd, file)))
            file = Path.Combine(pwd, file);
        if (!File.Exists(file))
        {
            Console.Error.WriteLine($"File not found: {file}");
            return Task.FromResult(2);
        }
        var bytes = File.ReadAllBytes(file);
        var outcome = IsXml(bytes) ? ValidateXml(bytes) : FhirValidator.Default.Validate(bytes);
        Console.WriteLine(outcome.ToJson(indented: true));
        return Task.FromResult(outcome.Success ? 0 : 1);
    }

    /// <summary>XML when the first non-whitespace character (after an optional BOM) is '&lt;'.</summary>
    private static bool IsXml(byte[] bytes)
    {
        var i = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        while (i < bytes.Length && bytes[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') i++;
        return i < bytes.Length && bytes[i] == (byte)'<';
    }

    private static OperationOutcome ValidateXml(byte[] bytes)
    {
        byte[] json;
        try
        {
            using var reader = new StreamReader(new MemoryStream(bytes), detectEncodingFromByteOrderMarks: true);
            json = FhirXmlReader.ToJsonBytes(reader.ReadToEnd());
        }
        catch (FormatException e)
        {
            return OperationOutcome.Single(IssueSeverity.Error, "structure", e.Message);
        }
        return FhirValidator.Default.Validate(json);
    }
}
