using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Fellesjournal.Synthetic;

/// <summary>
/// One reusable Utf8JsonWriter over one reusable buffer, with helpers for the FHIR datatypes the generator writes.
/// Relaxed escaping keeps æøå as UTF-8 (FHIR JSON is UTF-8) and keeps the output compact.
/// </summary>
internal sealed class JsonOut
{
    public const string Loinc = "http://loinc.org";
    public const string Ucum = "http://unitsofmeasure.org";

    private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);
    public Utf8JsonWriter W { get; }

    public JsonOut()
    {
        W = new Utf8JsonWriter(_buffer, new JsonWriterOptions
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            SkipValidation = true,
        });
    }

    /// <summary>Starts a resource: resets the buffer, writes resourceType and id.</summary>
    public void Begin(string type, string id)
    {
        _buffer.ResetWrittenCount();
        W.Reset(_buffer);
        W.WriteStartObject();
        W.WriteString("resourceType", type);
        W.WriteString("id", id);
    }

    /// <summary>Ends the resource; the span is valid until the next Begin.</summary>
    public ReadOnlySpan<byte> End()
    {
        W.WriteEndObject();
        W.Flush();
        return _buffer.WrittenSpan;
    }

    public void Str(string name, string value) => W.WriteString(name, value);

    public void Ref(string name, string reference, string? display = null)
    {
        W.WriteStartObject(name);
        W.WriteString("reference", reference);
        if (display is not null) W.WriteString("display", display);
        W.WriteEndObject();
    }

    /// <summary>An array with one Reference.</summary>
    public void RefArray(string name, string reference)
    {
        W.WriteStartArray(name);
        W.WriteStartObject();
        W.WriteString("reference", reference);
        W.WriteEndObject();
        W.WriteEndArray();
    }

    public void Coding(string system, string code, string? display = null)
    {
        W.WriteStartObject();
        W.WriteString("system", system);
        W.WriteString("code", code);
        if (display is not null) W.WriteString("display", display);
        W.WriteEndObject();
    }

    /// <summary>A CodeableConcept property with one coding (and optional text).</summary>
    public void Concept(string name, string system, string code, string? display = null, string? text = null)
    {
        W.WriteStartObject(name);
        W.WriteStartArray("coding");
        Coding(system, code, display);
        W.WriteEndArray();
        if (text is not null) W.WriteString("text", text);
        W.WriteEndObject();
    }

    /// <summary>An array holding one CodeableConcept with one coding.</summary>
    public void ConceptArray(string name, string system, string code, string? display = null, string? text = null)
    {
        W.WriteStartArray(name);
        W.WriteStartObject();
        W.WriteStartArray("coding");
        Coding(system, code, display);
        W.WriteEndArray();
        if (text is not null) W.WriteString("text", text);
        W.WriteEndObject();
        W.WriteEndArray();
    }

    public void TextConceptArray(string name, string text)
    {
        W.WriteStartArray(name);
        W.WriteStartObject();
        W.WriteString("text", text);
        W.WriteEndObject();
        W.WriteEndArray();
    }

    public void Identifier(string system, string value)
    {
        W.WriteStartArray("identifier");
        W.WriteStartObject();
        W.WriteString("system", system);
        W.WriteString("value", value);
        W.WriteEndObject();
        W.WriteEndArray();
    }

    public void Quantity(string name, double value, string unit, int decimals, string? code = null)
    {
        W.WriteStartObject(name);
        W.WriteNumber("value", Math.Round(value, decimals));
        W.WriteString("unit", unit);
        W.WriteString("system", Ucum);
        W.WriteString("code", code ?? unit);
        W.WriteEndObject();
    }

    public void Date(string name, DateOnly d)
    {
        Span<byte> b = stackalloc byte[10];
        FormatDate(b, d);
        W.WriteString(name, b);
    }

    /// <summary>A dateTime in Norwegian local time (+01:00, or +02:00 from April to October: a simplification of DST).</summary>
    public void DateTime(string name, DateTime t)
    {
        Span<byte> b = stackalloc byte[25];
        FormatDateTime(b, t);
        W.WriteString(name, b);
    }

    /// <summary>A Period; the end takes the start's UTC offset so a short period across the (simplified) DST switch
    /// between 31 March and 1 April cannot end before it starts (per-1).</summary>
    public void Period(string name, DateTime start, DateTime end)
    {
        W.WriteStartObject(name);
        Span<byte> b = stackalloc byte[25];
        FormatDateTime(b, start);
        W.WriteString("start", b);
        FormatDateTime(b, end, Summer(start));
        W.WriteString("end", b);
        W.WriteEndObject();
    }

    private static bool Summer(DateTime t) => t.Month is >= 4 and <= 10;

    private static void FormatDate(Span<byte> b, DateOnly d)
    {
        Digits(b[..4], d.Year); b[4] = (byte)'-';
        Digits(b.Slice(5, 2), d.Month); b[7] = (byte)'-';
        Digits(b.Slice(8, 2), d.Day);
    }

    internal static void FormatDateTime(Span<byte> b, DateTime t, bool? summer = null)
    {
        FormatDate(b, DateOnly.FromDateTime(t));
        b[10] = (byte)'T';
        Digits(b.Slice(11, 2), t.Hour); b[13] = (byte)':';
        Digits(b.Slice(14, 2), t.Minute); b[16] = (byte)':';
        Digits(b.Slice(17, 2), t.Second);
        b[19] = (byte)'+'; b[20] = (byte)'0';
        b[21] = (byte)(summer ?? Summer(t) ? '2' : '1');
        b[22] = (byte)':'; b[23] = (byte)'0'; b[24] = (byte)'0';
    }

    private static void Digits(Span<byte> b, int v)
    {
        for (var i = b.Length - 1; i >= 0; i--) { b[i] = (byte)('0' + v % 10); v /= 10; }
    }
}
