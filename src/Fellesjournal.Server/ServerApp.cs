using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Server.Capabilities;
using Fellesjournal.Server.Demo;
using Fellesjournal.Server.Home;
using Fellesjournal.Server.Http;
using Fellesjournal.Server.Interactions;
using Fellesjournal.Server.Operations;
using Fellesjournal.Server.Security;
using Fellesjournal.Server.Store;
using Fellesjournal.Server.Validation;
using Fellesjournal.Storage;
using Fellesjournal.Trust.Identity;
using Microsoft.AspNetCore.Diagnostics;

namespace Fellesjournal.Server;

/// <summary>Wires the FHIR server: services, the /fhir routes, the home page and the last-resort error handler.</summary>
public static class ServerApp
{
    /// <summary>Builds a ready-to-run server (used by "serve" and by tests that need a real socket).</summary>
    public static async Task<WebApplication> BuildAsync(IDictionary<string, string?> settings, string? urls, string[]? hostArgs = null,
        Action<IServiceCollection>? overrideServices = null)
    {
        var builder = WebApplication.CreateBuilder(hostArgs ?? []);
        builder.Configuration.AddInMemoryCollection(settings);
        if (urls is not null) builder.WebHost.UseUrls(urls);
        ConfigureServices(builder);
        overrideServices?.Invoke(builder.Services);
        var app = builder.Build();
        MapEndpoints(app);
        await InitializeAsync(app);
        return app;
    }

    public static void ConfigureServices(WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(k =>
        {
            // The handler enforces the configurable limit itself (413 with an OperationOutcome).
            k.Limits.MaxRequestBodySize = null;
            k.AddServerHeader = false;
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        var services = builder.Services;
        services.AddSingleton(sp => ServerOptions.From(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton(_ => FhirDefinitions.Default);
        services.AddSingleton<IResourceStore>(sp =>
        {
            var o = sp.GetRequiredService<ServerOptions>();
            return StoreFactory.Open(o.DataDir, o.Store, o.Connection, o.ReadConnection);
        });
        services.AddSingleton(sp => Validators.CreateDefault(sp.GetRequiredService<FhirDefinitions>()));
        services.AddSingleton<WriteCoalescer>();
        services.AddSingleton<CapabilityStatementBuilder>();
        services.AddSummaryRecord();
        services.AddSingleton<FhirService>();
        services.AddSingleton(sp => TrustSetup.Create(sp.GetRequiredService<ServerOptions>(), sp.GetRequiredService<IConfiguration>(),
            sp.GetService<DevelopmentIssuer>()));
        services.AddSingleton<FhirAuthentication>();
        services.AddSingleton(sp => new Fellesjournal.Trust.Access.CareFactsReader(sp.GetRequiredService<IResourceStore>()));
        services.AddSingleton(sp => new Fellesjournal.Trust.Access.CompartmentResolver(sp.GetRequiredService<IResourceStore>(),
            sp.GetRequiredService<Fellesjournal.Trust.Access.CareFactsReader>()));
        services.AddSingleton<AccessGuard>();
        services.AddSingleton<FhirHttpHandler>();
        services.AddSingleton<HomePage>();
        services.AddSingleton<DemoPopulation>();
        services.AddSingleton(Audit.AccessAuditor.FromServices);
        services.AddSingleton<IAccessAudit>(sp => sp.GetRequiredService<Audit.AccessAuditor>());
        services.AddSingleton<Audit.CitizenNotifier>();
        services.AddHostedService(sp => sp.GetRequiredService<Audit.CitizenNotifier>());
        services.AddSingleton(sp => new Fellesjournal.Services.Medication.PrescriptionService(sp.GetRequiredService<IResourceStore>()));
        services.AddSingleton(sp => new Fellesjournal.Services.Medication.MedicationListService(sp.GetRequiredService<IResourceStore>()));
        services.AddSingleton<Fellesjournal.Services.Medication.IMedicationList>(sp => sp.GetRequiredService<Fellesjournal.Services.Medication.MedicationListService>());
        services.AddSingleton(sp => new Fellesjournal.Services.Medication.MedicationApi(sp.GetRequiredService<Fellesjournal.Services.Medication.PrescriptionService>(),
            sp.GetRequiredService<Fellesjournal.Services.Medication.MedicationListService>(), sp.GetRequiredService<Fellesjournal.Services.Medication.MedicationListService>()));
        services.AddSingleton<Operations.IFhirOperation, Operations.MedicationPrescribeOperation>();
        services.AddSingleton<Operations.IFhirOperation, Operations.MedicationDispenseOperation>();
        services.AddSingleton<Operations.IFhirOperation, Operations.MedicationRevokeOperation>();
        services.AddSingleton<Operations.IFhirOperation, Operations.MedicationRenewOperation>();
        services.AddSingleton<Operations.IFhirOperation, Operations.MedicationListOperation>();
        services.AddSingleton<Operations.IFhirOperation, Operations.MedicationReconcileOperation>();
    }

    public static void MapEndpoints(WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = ctx =>
            {
                var error = ctx.Features.Get<IExceptionHandlerFeature>()?.Error;
                return FhirHttpHandler.WriteOutcomeAsync(ctx, 500, "exception", "Internal error: " + error?.Message);
            },
        });
        var handler = app.Services.GetRequiredService<FhirHttpHandler>();
        var trust = app.Services.GetRequiredService<TrustSetup>();
        if (trust.Dev is { } dev) DevIdentityEndpoints.Map(app, dev);
        app.MapGet(FhirHttpHandler.BasePath + "/.well-known/smart-configuration", (HttpContext ctx, ServerOptions o, IConfiguration c) =>
            Results.Content(SmartConfiguration.Build(ctx, trust, o, c), "application/json"));
        app.Map(FhirHttpHandler.BasePath, handler.HandleAsync);
        app.Map(FhirHttpHandler.BasePath + "/{**path}", handler.HandleAsync);
        app.MapGet("/", (HttpContext ctx, HomePage home) => home.RenderAsync(ctx));
        app.MapFallback(ctx => FhirHttpHandler.WriteOutcomeAsync(ctx, 404, "not-found",
            $"No such endpoint: {ctx.Request.Path}. The FHIR base is {FhirHttpHandler.BasePath}."));
    }

    /// <summary>Start-up work after the container is built: open the store, load demo data.</summary>
    public static async Task InitializeAsync(WebApplication app)
    {
        var options = app.Services.GetRequiredService<ServerOptions>();
        var trust = app.Services.GetRequiredService<TrustSetup>();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Fellesjournal.Trust");
#if FJ_BENCH_OPEN
        log.LogCritical("BENCHMARK BUILD WITHOUT ACCESS LAYER (FJ_BENCH_OPEN): no authentication, access policy or access log. For bench/authz/run.sh only.");
#endif
        if (trust.Dev is { } dev)
            log.LogWarning("DEVELOPMENT IDENTITY IS ON: /dev/token issues tokens for demo personas to anyone (issuers {Issuers}). Never use this with real patient data.",
                string.Join(", ", trust.Issuers.Select(i => i.IssuerUrl)));
        else if (trust.RefusalReason is { } why)
            log.LogError("{Reason} Configure Trust:Issuers, or start with --dev-identity for development.", why);
        else
            log.LogInformation("Accepting tokens from {Issuers}.", string.Join(", ", trust.Issuers.Select(i => $"{i.Name} ({i.IssuerUrl})")));
        if (options.Demo)
            await app.Services.GetRequiredService<DemoPopulation>().StartAsync();
    }
}
