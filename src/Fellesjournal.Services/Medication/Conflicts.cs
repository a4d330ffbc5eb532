using Fellesjournal.Storage;

namespace Fellesjournal.Services.Medication;

/// <summary>Optimistic concurrency: a transaction whose version precondition failed is run again from the start
/// (it re-reads the current versions), a bounded number of times.</summary>
internal static class Conflicts
{
    public const int MaxAttempts = 50;

    public static async Task<T> RetryAsync<T>(IResourceStore store, Func<IStoreTransaction, Task<T>> work, string what, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await store.InTransactionAsync(work, ct);
            }
            catch (VersionConflictException) when (attempt < MaxAttempts)
            {
                await Task.Delay(Random.Shared.Next(1, 5 * Math.Min(attempt, 10)), ct);
            }
            catch (VersionConflictException e)
            {
                throw MedicationException.Conflict($"{what}: concurrent changes kept conflicting ({e.Message}); try again.", e.ResourceType);
            }
        }
    }
}
