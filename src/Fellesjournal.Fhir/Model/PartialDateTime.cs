using System.Globalization;
using System.Text.RegularExpressions;

namespace Fellesjournal.Fhir.Model;

/// <summary>Precision of a partial date/time value.</summary>
public enum DateTimePrecision { Year, Month, Day, Hour, Minute, Second, Millisecond }

/// <summary>
/// A FHIR date, dateTime or instant with the precision it was written with
/// (2024, 2024-05, 2024-05-17T10:30:00+02:00). The text is kept exactly as written.
/// </summary>
public readonly partial record struct PartialDateTime(
    int Year, int Month, int Day, int Hour, int Minute, int Second, int Millisecond,
    TimeSpan? Offset, DateTimePrecision Precision, bool HasTime)
{
    [GeneratedRegex(@"^(?<y>\d{4})(-(?<m>\d{2})(-(?<d>\d{2})(T(?<h>\d{2})(:(?<mi>\d{2})(:(?<s>\d{2})(\.(?<f>\d+))?)?)?(?<tz>Z|[+-]\d{2}:\d{2})?)?)?)?$")]
    private static partial Regex Pattern();

    public static bool TryParse(string? text, out PartialDateTime value)
    {
        value = default;
        if (text is null || text.Length > 40) return false;
        var m = Pattern().Match(text);
        if (!m.Success) return false;
        int G(string g, int def) => m.Groups[g].Success ? int.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture) : def;
        var precision = m.Groups["f"].Success ? DateTimePrecision.Millisecond
            : m.Groups["s"].Success ? DateTimePrecision.Second
            : m.Groups["mi"].Success ? DateTimePrecision.Minute
            : m.Groups["h"].Success ? DateTimePrecision.Hour
            : m.Groups["d"].Success ? DateTimePrecision.Day
            : m.Groups["m"].Success ? DateTimePrecision.Month
            : DateTimePrecision.Year;
        var ms = 0;
        if (m.Groups["f"].Success)
        {
            var f = m.Groups["f"].Value;
            ms = int.Parse((f + "00")[..3], CultureInfo.InvariantCulture);
        }
        TimeSpan? offset = null;
        if (m.Groups["tz"].Success)
        {
            var tz = m.Groups["tz"].Value;
            if (tz == "Z") offset = TimeSpan.Zero;
            else
            {
                var sign = tz[0] == '-' ? -1 : 1;
                var hh = int.Parse(tz.AsSpan(1, 2), CultureInfo.InvariantCulture);
                var mm = int.Parse(tz.AsSpan(4, 2), CultureInfo.InvariantCulture);
                if (hh > 14 || mm > 59) return false;
                offset = sign * new TimeSpan(hh, mm, 0);
            }
        }
        var v = new PartialDateTime(G("y", 1), G("m", 1), G("d", 1), G("h", 0), G("mi", 0), G("s", 0), ms,
            offset, precision, text.Contains('T'));
        if (v.Month is < 1 or > 12 || v.Day < 1 || v.Day > DateTime.DaysInMonth(Math.Max(1, v.Year), v.Month) ||
            v.Hour > 23 || v.Minute > 59 || v.Second > 59 || v.Year < 1)
            return false;
        value = v;
        return true;
    }

    /// <summary>The earliest instant the value covers (UTC; a missing offset is read as UTC).</summary>
    public DateTimeOffset LowerBound =>
        new(Year, Month, Day, Hour, Minute, Second, Millisecond, Offset ?? TimeSpan.Zero);

    /// <summary>The first instant after the value's range (exclusive upper bound), from its precision.</summary>
    public DateTimeOffset UpperBoundExclusive => Precision switch
    {
        DateTimePrecision.Year => LowerBound.AddYears(1),
        DateTimePrecision.Month => LowerBound.AddMonths(1),
        DateTimePrecision.Day => LowerBound.AddDays(1),
        DateTimePrecision.Hour => LowerBound.AddHours(1),
        DateTimePrecision.Minute => LowerBound.AddMinutes(1),
        DateTimePrecision.Second => LowerBound.AddSeconds(1),
        _ => LowerBound.AddMilliseconds(1),
    };

    public override string ToString()
    {
        var s = Year.ToString("D4", CultureInfo.InvariantCulture);
        if (Precision >= DateTimePrecision.Month) s += "-" + Month.ToString("D2", CultureInfo.InvariantCulture);
        if (Precision >= DateTimePrecision.Day) s += "-" + Day.ToString("D2", CultureInfo.InvariantCulture);
        if (Precision >= DateTimePrecision.Hour) s += "T" + Hour.ToString("D2", CultureInfo.InvariantCulture);
        if (Precision >= DateTimePrecision.Minute) s += ":" + Minute.ToString("D2", CultureInfo.InvariantCulture);
        if (Precision >= DateTimePrecision.Second) s += ":" + Second.ToString("D2", CultureInfo.InvariantCulture);
        if (Precision >= DateTimePrecision.Millisecond) s += "." + Millisecond.ToString("D3", CultureInfo.InvariantCulture);
        if (Offset is { } o && Precision >= DateTimePrecision.Hour)
            s += o == TimeSpan.Zero ? "Z" : (o < TimeSpan.Zero ? "-" : "+") + o.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);
        return s;
    }
}

/// <summary>A FHIR time (hh:mm:ss[.fff]) with its precision.</summary>
public readonly partial record struct PartialTime(int Hour, int Minute, int Second, int Millisecond, DateTimePrecision Precision)
{
    [GeneratedRegex(@"^(?<h>\d{2})(:(?<mi>\d{2})(:(?<s>\d{2})(\.(?<f>\d+))?)?)?$")]
    private static partial Regex Pattern();

    public static bool TryParse(string? text, out PartialTime value)
    {
        value = default;
        if (text is null || text.Length > 20) return false;
        var m = Pattern().Match(text);
        if (!m.Success) return false;
        int G(string g) => m.Groups[g].Success ? int.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture) : 0;
        var precision = m.Groups["f"].Success ? DateTimePrecision.Millisecond
            : m.Groups["s"].Success ? DateTimePrecision.Second
            : m.Groups["mi"].Success ? DateTimePrecision.Minute : DateTimePrecision.Hour;
        var ms = m.Groups["f"].Success ? int.Parse((m.Groups["f"].Value + "00")[..3], CultureInfo.InvariantCulture) : 0;
        value = new PartialTime(G("h"), G("mi"), G("s"), ms, precision);
        return value.Hour <= 23 && value.Minute <= 59 && value.Second <= 59;
    }

    public override string ToString()
    {
        var s = Hour.ToString("D2", CultureInfo.InvariantCulture);
        if (Precision >= DateTimePrecision.Minute) s += ":" + Minute.ToString("D2", CultureInfo.InvariantCulture);
        if (Precision >= DateTimePrecision.Second) s += ":" + Second.ToString("D2", CultureInfo.InvariantCulture);
        if (Precision >= DateTimePrecision.Millisecond) s += "." + Millisecond.ToString("D3", CultureInfo.InvariantCulture);
        return s;
    }
}
