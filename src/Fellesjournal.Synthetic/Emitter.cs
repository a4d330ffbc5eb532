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
