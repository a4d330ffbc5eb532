using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;

namespace Fellesjournal.Server.Import;

/// <summary>
/// The lines of an NDJSON file as UTF-8 bytes, without a round trip through strings. Splits like
/// <see cref="StreamReader.ReadLineAsync()"/> (\n, \r\n or a lone \r; a leading BOM dropped) and skips blank lines;
/// a line that is not valid UTF-8 is decoded with replacement characters, as a StreamReader would have read it.
/// </summary>
internal static class NdjsonLines
{
    private const int BufferSize = 1 << 20;

    public static async IAsyncEnumerable<(byte[] Line, int LineNo)> ReadAsync(string file, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var buffer = new byte[BufferSize];
        int start = 0, end = 0, lineNo = 0;
        var first = true;
        var eof = false;
        var skipLf = false; // the previous line ended with \r: a \n right after it belongs to that line ending
        while (true)
        {
            var span = buffer.AsSpan(start, end - start);
            var nl = span.IndexOfAny((byte)'\n', (byte)'\r');
            if (nl < 0 && !eof)
            {
                // Keep the partial line, make room (or grow for a long line), read more.
                if (start > 0)
                {
                    span.CopyTo(buffer);
                    end -= start;
                    start = 0;
                }
                if (end == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                var n = await stream.ReadAsync(buffer.AsMemory(end), ct);
                if (n == 0) eof = true;
                end += n;
                continue;
            }
            if (nl < 0 && span.IsEmpty) yield break;
            var length = nl < 0 ? span.Length : nl;
            if (skipLf && length == 0 && nl == 0 && buffer[start] == (byte)'\n')
            {
                skipLf = false;
                start++;
                continue;
            }
            skipLf = nl >= 0 && buffer[start + nl] == (byte)'\r';
            var line = buffer.AsSpan(start, length);
            if (first)
            {
                first = false;
                if (line.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) line = line[3..];
            }
            lineNo++;
            start += nl < 0 ? span.Length : nl + 1;
            if (!IsBlank(line)) yield return (Utf8.IsValid(line) ? line.ToArray() : Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(line)), lineNo);
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> line)
    {
        var i = line.IndexOfAnyExcept((byte)' ', (byte)'\t');
        if (i < 0) return true;
        if (line[i] < 0x80 && !char.IsWhiteSpace((char)line[i])) return false;
        return string.IsNullOrWhiteSpace(Encoding.UTF8.GetString(line));
    }
}
