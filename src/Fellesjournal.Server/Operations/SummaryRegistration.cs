using Fellesjournal.Server.Http;
using Fellesjournal.Services.Summary;
using Fellesjournal.Storage;

namespace Fellesjournal.Server.Operations;

public static class SummaryRegistration
{
    /// <summary>The summary care record service and its <c>$summary</c> operation. The signing key is the PEM file
    /// named by <c>Summary:SigningKeyPem</c>, else <c>summary-signing-key.pem</c> in the data directory (created, 0600).</summary>
    public static IServiceCollection AddSummaryRecord(this IServiceCollection services)
    {
        services.AddSingleton(sp => DocumentSigner.LoadOrCreate(
            sp.GetRequiredService<IConfiguration>()["Summary:SigningKeyPem"], sp.GetRequiredService<ServerOptions>().DataDir));
        services.AddSingleton<ISummaryRecord>(sp =>
        {
            var store = sp.GetRequiredService<IResourceStore>();
            ISummaryMedicationSource meds = new StoreMedicationSource(store);
            // The medication section reads the shared medication list (PLL) when the medication service is registered.
            if (sp.GetService<Fellesjournal.Services.Medication.IMedicationList>() is { } list) meds = new PllMedicationSource(list, meds);
            return new SummaryRecord(store, sp.GetRequiredService<DocumentSigner>(), meds,
                facts: sp.GetService<Fellesjournal.Trust.Access.CareFactsReader>());
        });
        services.AddSingleton<IFhirOperation, SummaryOperation>();
        return services;
    }
}
