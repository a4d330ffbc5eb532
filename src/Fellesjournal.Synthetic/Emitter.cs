namespace Fellesjournal.Synthetic;

/// <summary>Receives generated resources. The span is only valid during the call (the buffer is reused).</summary>
public interface IResourceSink
{
    void Add(string resourceType, string id, ReadOnlySpan<byte> json);
}

/// <summary>Writes one resource at a time into a reusable buffer and hands it to the sink.</summary>
internal sealed class Emitter(IResourceSink sink)
{
    public JsonOut J { get; } = new();
    private string _type = "";
    private string _id = "";

    public JsonOut Begin(string type, string id)
    {
        _type = type;
        _id = id;
        J.Begin(type, id);
        return J;
    }

    public void End() => sink.Add(_type, _id, J.End());
}

/// <summary>Collects resources as (type, id, bytes) — for the pull API and tests.</summary>
internal sealed class ListSink : IResourceSink
{
    public List<(string Type, string Id, byte[] Json)> Items { get; } = [];
    public void Add(string resourceType, string id, ReadOnlySpan<byte> json) => Items.Add((resourceType, id, json.ToArray()));
}

/// <summary>Buffers resources in one growing byte array, to be replayed in order into another sink.</summary>
internal sealed class BufferSink : IResourceSink
{
    private byte[] _bytes = new byte[1 << 20];
    private int _used;
    private readonly List<(string Type, string Id, int Start, int Length)> _items = [];

    public void Add(string resourceType, string id, ReadOnlySpan<byte> json)
    {
        if (_used + json.Length > _bytes.Length) Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _used + json.Length));
        json.CopyTo(_bytes.AsSpan(_used));
        _items.Add((resourceType, id, _used, json.Length));
        _used += json.Length;
    }

    /// <summary>Hands everything to <paramref name="sink"/> in arrival order and empties the buffer.</summary>
    public void ReplayTo(IResourceSink sink)
    {
        foreach (var (type, id, start, length) in _items) sink.Add(type, id, _bytes.AsSpan(start, length));
        _items.Clear();
        _used = 0;
    }
}
