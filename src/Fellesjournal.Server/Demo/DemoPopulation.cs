using System.Text.Json;
using Fellesjournal.Server.Cli;
using Fellesjournal.Server.Http;
using Fellesjournal.Storage;
using Fellesjournal.Synthetic;

namespace Fellesjournal.Server.Demo;

/// <summary>
/// Demo mode: a synthetic Norwegian population (seed 1, 200 patients by default) loaded into the
/// store in the background, so the server answers at once and fills up while a person looks around.
/// A marker file in the data directory makes a restart skip a population that is already loaded.
/// </summary>
public sealed class DemoPopulation(IResourceStore store, ServerOptions options, ILogger<DemoPopulation> log)
{
    public const ulong Seed = 1;
    private Task? _loading;

    public enum LoadState { Off, Loading, Done, Failed }

    public LoadState State { get; private set; } = LoadState.Off;
    public long Loaded { get; private set; }
    public string? Error { get; private set; }
    public int Patients => options.DemoPatients;

    /// <summary>The demo users of this population (citizens, parent, GP, hospital staff, pharmacist).</summary>
    public IReadOnlyList<DemoPersona> Personas => _personas ??= DemoPersonas.For(Seed, options.DemoPatients);
    private IReadOnlyList<DemoPersona>? _personas;

    private string MarkerFile => Path.Combine(options.DataDir, "demo-population.json");

    /// <summary>Starts loading unless the same population is already in the store.</summary>
    public Task StartAsync()
    {
        if (!options.Demo) return Task.CompletedTask;
        if (IsLoaded())
        {
            State = LoadState.Done;
            return Task.CompletedTask;
        }
        State = LoadState.Loading;
        _loading = Task.Run(LoadAsync);
        return Task.CompletedTask;
    }

    /// <summary>Waits until a background load has finished (tests, shutdown).</summary>
    public Task WhenLoaded => _loading ?? Task.CompletedTask;

    private bool IsLoaded()
    {
        try
        {
            if (!File.Exists(MarkerFile)) return false;
            using var doc = JsonDocument.Parse(File.ReadAllBytes(MarkerFile));
            var root = doc.RootElement;
            if (root.GetProperty("seed").GetUInt64() != Seed || root.GetProperty("patients").GetInt32() != options.DemoPatients) return false;
            Loaded = root.GetProperty("resources").GetInt64();
            return true;
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    private async Task LoadAsync()
    {
        try
        {
            var generator = new PopulationGenerator(Seed, options.DemoPatients);
            var total = await SeedCommand.SeedIntoStoreAsync(store, generator, 1000, n => Loaded = n);
            Directory.CreateDirectory(options.DataDir);
            await File.WriteAllTextAsync(MarkerFile,
                JsonSerializer.Serialize(new { seed = Seed, patients = options.DemoPatients, resources = total }));
            State = LoadState.Done;
            log.LogInformation("Demo population loaded: {Patients} patients, {Resources} resources", options.DemoPatients, total);
        }
        catch (Exception e)
        {
            Error = e.Message;
            State = LoadState.Failed;
            log.LogError(e, "Loading the demo population failed");
        }
    }
}
