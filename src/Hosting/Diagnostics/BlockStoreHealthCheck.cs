using BlockStore.Engine;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace BlockStore.Diagnostics;

/// <summary>
/// Reports the store Unhealthy when it cannot be opened, its provider's storage does not answer (or, on a server, another instance
/// took the data set over), it refuses writes or its last durable write failed, Degraded when sealing
/// keeps failing or the disk holding its data set is nearly full, Healthy otherwise; the data carries the stores, used and free bytes.
/// </summary>
internal sealed class BlockStoreHealthCheck(MessageStore store, IOptions<BlockStoreOptions> storeOptions, IOptionsMonitor<BlockStoreHealthCheckOptions> options)
    : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        StoreStats stats;
        try
        {
            stats = await store.GetStatsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The store cannot be opened: {ex.Message}", ex);
        }

        var data = new Dictionary<string, object>
        {
            ["stores"] = stats.Stores,
            ["usedBytes"] = stats.UsedBytes,
            ["capacityBytes"] = stats.CapacityBytes,
        };

        // A server provider keeps no DataDir: there is no local disk to watch then.
        string dataDir = Path.GetFullPath(storeOptions.Value.DataDir);
        long? freeBytes = Directory.Exists(dataDir) ? new DriveInfo(dataDir).AvailableFreeSpace : null;
        if (freeBytes is { } free)
        {
            data["dataDir"] = dataDir;
            data["freeBytes"] = free;
        }

        try
        {
            await store.CheckStorageAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The store's storage does not answer: {ex.Message}", ex, data);
        }

        if (store.RefusingWrites && store.SealFailure is { } refusal)
        {
            return new HealthCheckResult(
                context.Registration.FailureStatus,
                $"The store's writes are refused: sealing has failed since {refusal.At:O} and the journal or the open blocks passed their budgets: {refusal.Exception.Message}",
                refusal.Exception,
                data);
        }

        if (store.LastWriteFailure is { } failure)
        {
            return new HealthCheckResult(
                context.Registration.FailureStatus,
                $"The last durable write failed at {failure.At:O}: {failure.Exception.Message}",
                failure.Exception,
                data);
        }

        if (store.SealFailure is { } sealing)
        {
            return HealthCheckResult.Degraded(
                $"Sealing has failed since {sealing.At:O}; messages stay in the journal and writes continue within its budget: {sealing.Exception.Message}",
                sealing.Exception,
                data);
        }

        long minimum = options.CurrentValue.MinimumFreeBytes;
        return freeBytes < minimum
            ? HealthCheckResult.Degraded($"Only {freeBytes} bytes are free under {dataDir}; the minimum is {minimum}.", data: data)
            : HealthCheckResult.Healthy($"{stats.Stores} stores, {stats.UsedBytes} bytes used{(freeBytes is { } f ? $", {f} bytes free" : "")}.", data);
    }
}
