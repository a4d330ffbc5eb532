namespace Fellesjournal.Synthetic;

/// <summary>
/// A deterministic synthetic Norwegian population: the same seed and size give the same resources, byte for byte.
/// Streams: infrastructure first (organisations, practitioners, medicines), then household by household, so memory
/// stays flat in the number of patients (except one set of used person numbers, kept to make them unique).
/// </summary>
public sealed class PopulationGenerator
{
    /// <summary>The population's "today": histories end here, so output does not depend on the clock.</summary>
    public static readonly DateOnly Today = new(2025, 6, 1);

    public ulong Seed { get; }
    public int Patients { get; }

    public PopulationGenerator(ulong seed, int patients)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(patients);
        Seed = seed;
        Patients = patients;
    }

    /// <summary>Pushes every resource into <paramref name="sink"/> (fastest: no per-resource allocation of the JSON).</summary>
    public void WriteTo(IResourceSink sink)
    {
        foreach (var _ in Run(new Emitter(sink))) { }
    }

    /// <summary>Every resource as (type, id, UTF-8 JSON), streamed household by household.</summary>
    public IEnumerable<(string Type, string Id, byte[] Json)> Generate()
    {
        var list = new ListSink();
        foreach (var _ in Run(new Emitter(list)))
        {
            foreach (var item in list.Items) yield return item;
            list.Items.Clear();
        }
    }

    /// <summary>Hands the resources to <paramref name="writeBatch"/> in batches (e.g. a store's MergeAsync with 1,000 per batch).</summary>
    public async Task<long> WriteBatchesAsync(Func<IReadOnlyList<(string Type, string Id, byte[] Json)>, Task> writeBatch, int batchSize = 1000)
    {
        long total = 0;
        var batch = new List<(string, string, byte[])>(batchSize);
        foreach (var r in Generate())
        {
            batch.Add(r);
            if (batch.Count < batchSize) continue;
            await writeBatch(batch);
            total += batch.Count;
            batch = new List<(string, string, byte[])>(batchSize);
        }
        if (batch.Count > 0) { await writeBatch(batch); total += batch.Count; }
        return total;
    }

    /// <summary>Writes DIR/{Type}.ndjson files (histories generated on <paramref name="workers"/> threads, output
    /// identical to the sequential order); returns counts and bytes per type.</summary>
    public PopulationStats WriteNdjson(string directory, int workers = 1)
    {
        using var sink = new NdjsonSink(directory);
        WriteToParallel(sink, workers);
        return sink.Stats;
    }

    /// <summary>
    /// Like <see cref="WriteTo"/>, with the per-person histories written in parallel. Households (and so person
    /// numbers) are still built in order on one thread; each chunk of people is split into contiguous slices, one per
    /// worker, and the slices are replayed in order, so the sink sees exactly the sequential stream.
    /// </summary>
    public void WriteToParallel(IResourceSink sink, int workers)
    {
        if (workers <= 1) { WriteTo(sink); return; }
        var infra = new Infrastructure(Seed, Patients);
        InfrastructureResources.Emit(infra, new Emitter(sink));
        var buffers = new BufferSink[workers];
        var histories = new PersonHistory[workers];
        for (var w = 0; w < workers; w++)
        {
            buffers[w] = new BufferSink();
            histories[w] = new PersonHistory(infra, new Emitter(buffers[w]), Seed);
        }
        foreach (var chunk in PeopleOf(infra).Chunk(64 * workers))
        {
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
            {
                var from = chunk.Length * w / workers;
                var to = chunk.Length * (w + 1) / workers;
                for (var i = from; i < to; i++) histories[w].Write(chunk[i]);
            });
            foreach (var b in buffers) b.ReplayTo(sink);
        }
    }

    /// <summary>The units of work: the infrastructure, then one household at a time.</summary>
    private IEnumerable<bool> Run(Emitter e)
    {
        var infra = new Infrastructure(Seed, Patients);
        InfrastructureResources.Emit(infra, e);
        yield return true;
        var builder = new HouseholdBuilder(infra);
        var history = new PersonHistory(infra, e, Seed);
        var next = 1;
        for (long household = 0; next <= Patients; household++)
        {
            var people = builder.Build(Seed, household, next);
            foreach (var p in people)
                if (p.Index <= Patients) history.Write(p);   // the last household may be cut; parents come first
            next += people.Count;
            yield return true;
        }
    }

    /// <summary>The residents without their histories (cheap): used to pick demo personas.</summary>
    internal IEnumerable<Person> People(out Infrastructure infrastructure)
    {
        infrastructure = new Infrastructure(Seed, Patients);
        return PeopleOf(infrastructure);
    }

    private IEnumerable<Person> PeopleOf(Infrastructure infra)
    {
        var builder = new HouseholdBuilder(infra);
        var next = 1;
        for (long household = 0; next <= Patients; household++)
        {
            var people = builder.Build(Seed, household, next);
            foreach (var p in people)
                if (p.Index <= Patients) yield return p;
            next += people.Count;
        }
    }
}

/// <summary>Resources and bytes per resource type.</summary>
public sealed class PopulationStats
{
    public SortedDictionary<string, (long Count, long Bytes)> ByType { get; } = new(StringComparer.Ordinal);
    public long Resources => ByType.Values.Sum(v => v.Count);
    public long Bytes => ByType.Values.Sum(v => v.Bytes);

    public void Add(string type, int bytes)
    {
        ByType.TryGetValue(type, out var v);
        ByType[type] = (v.Count + 1, v.Bytes + bytes);
    }
}

/// <summary>Writes one NDJSON file per resource type.</summary>
internal sealed class NdjsonSink : IResourceSink, IDisposable
{
    private readonly string _dir;
    private readonly Dictionary<string, Stream> _files = new(StringComparer.Ordinal);
    public PopulationStats Stats { get; } = new();

    public NdjsonSink(string dir)
    {
        _dir = dir;
        Directory.CreateDirectory(dir);
    }

    public void Add(string resourceType, string id, ReadOnlySpan<byte> json)
    {
        if (!_files.TryGetValue(resourceType, out var f))
            _files[resourceType] = f = new FileStream(Path.Combine(_dir, resourceType + ".ndjson"), FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
        f.Write(json);
        f.WriteByte((byte)'\n');
        Stats.Add(resourceType, json.Length + 1);
    }

    public void Dispose()
    {
        foreach (var f in _files.Values) f.Dispose();
    }
}
