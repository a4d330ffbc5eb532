using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.FhirPath;

/// <summary>Comparison and arithmetic of partial dates and times, honouring precision.</summary>
internal static class DateTimes
{
    // precision levels compared: year, month, day, hour, minute, second (milliseconds count as seconds)
    private static int Level(DateTimePrecision p) => p == DateTimePrecision.Millisecond ? 5 : (int)p;

    private static decimal[] Parts(PartialDateTime d)
    {
        if (d.Offset is { } off && d.Precision >= DateTimePrecision.Hour)
        {
            var utc = new DateTimeOffset(d.Year, d.Month, d.Day, d.Hour, d.Minute, d.Second, d.Millisecond, off).UtcDateTime;
            return [utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, utc.Second + utc.Millisecond / 1000m];
        }
        return [d.Year, d.Month, d.Day, d.Hour, d.Minute, d.Second + d.Millisecond / 1000m];
    }

    /// <summary>Compares component by component; null when they agree up to the shorter precision but differ in precision.</summary>
    public static int? Compare(PartialDateTime a, PartialDateTime b)
    {
        // with a time part, a value with a timezone and one without cannot be ordered reliably
        if (a.Precision >= DateTimePrecision.Hour && b.Precision >= DateTimePrecision.Hour &&
            a.Offset.HasValue != b.Offset.HasValue)
        {
            var c = CompareParts(Parts(a with { Offset = null }), Level(a.Precision), Parts(b with { Offset = null }), Level(b.Precision));
            return c == 0 ? null : CompareUncertain(a, b);
        }
        return CompareParts(Parts(a), Level(a.Precision), Parts(b), Level(b.Precision));
    }

    // ordering is certain only when the values differ by more than the widest possible offset gap (±14h)
    private static int? CompareUncertain(PartialDateTime a, PartialDateTime b)
    {
        var da = a.LowerBound.UtcDateTime;
        var db = b.LowerBound.UtcDateTime;
        var gap = (da - db).Duration();
        return gap > TimeSpan.FromHours(28) ? da.CompareTo(db) : null;
    }

    public static int? Compare(PartialTime a, PartialTime b) =>
        CompareParts([a.Hour, a.Minute, a.Second + a.Millisecond / 1000m], Level(a.Precision) - 3,
            [b.Hour, b.Minute, b.Second + b.Millisecond / 1000m], Level(b.Precision) - 3);

    private static int? CompareParts(decimal[] a, int la, decimal[] b, int lb)
    {
        var n = Math.Min(la, lb);
        for (var i = 0; i <= n; i++)
        {
            var c = a[i].CompareTo(b[i]);
            if (c != 0) return c;
        }
        return la == lb ? 0 : null;
    }

    public static bool SamePrecision(PartialDateTime a, PartialDateTime b) => Level(a.Precision) == Level(b.Precision);
    public static bool SamePrecision(PartialTime a, PartialTime b) => Level(a.Precision) == Level(b.Precision);

    public static string Format(PartialDateTime d) => d.ToString();

    /// <summary>date/dateTime + quantity (calendar duration or UCUM time unit); the result keeps the original precision.</summary>
    public static PartialDateTime Add(PartialDateTime d, Quantity q, int sign, int position)
    {
        var unit = CalendarUnit(q, position);
        var dt = new DateTime(d.Year, d.Month, d.Day, d.Hour, d.Minute, d.Second, d.Millisecond, DateTimeKind.Unspecified);
        var whole = (int)decimal.Truncate(q.Value) * sign;
        try
        {
            dt = unit switch
            {
                "year" => dt.AddYears(whole),
                "month" => dt.AddMonths(whole),
                "week" => dt.AddDays(7 * whole),
                "day" => dt.AddDays(whole),
                "hour" => dt.AddHours(whole),
                "minute" => dt.AddMinutes(whole),
                "second" => dt.AddSeconds(whole),
                _ => dt.AddMilliseconds(whole),
            };
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new FhirPathException("Date arithmetic out of range", position);
        }
        return d with
        {
            Year = dt.Year, Month = dt.Month, Day = dt.Day, Hour = dt.Hour, Minute = dt.Minute, Second = dt.Second,
            Millisecond = dt.Millisecond,
        };
    }

    public static PartialTime Add(PartialTime t, Quantity q, int sign, int position)
    {
        var unit = CalendarUnit(q, position);
        var ts = new TimeSpan(0, t.Hour, t.Minute, t.Second, t.Millisecond);
        var whole = (long)decimal.Truncate(q.Value) * sign;
        ts += unit switch
        {
            "hour" => TimeSpan.FromHours(whole),
            "minute" => TimeSpan.FromMinutes(whole),
            "second" => TimeSpan.FromSeconds(whole),
            "millisecond" => TimeSpan.FromMilliseconds(whole),
            _ => throw new FhirPathException($"Cannot add '{q.Unit}' to a time", position),
        };
        var ms = ((long)ts.TotalMilliseconds % 86_400_000 + 86_400_000) % 86_400_000;
        var r = TimeSpan.FromMilliseconds(ms);
        return t with { Hour = r.Hours, Minute = r.Minutes, Second = r.Seconds, Millisecond = r.Milliseconds };
    }

    private static string CalendarUnit(Quantity q, int position)
    {
        if (q.IsCalendar) return q.Unit;
        return q.Unit switch
        {
            "wk" => "week", "d" => "day", "h" => "hour", "min" => "minute", "s" => "second", "ms" => "millisecond",
            _ => throw new FhirPathException($"'{q.Unit}' is not a unit that can be added to a date/time", position),
        };
    }
}
