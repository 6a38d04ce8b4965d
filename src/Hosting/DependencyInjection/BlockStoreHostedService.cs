using Microsoft.Extensions.Hosting;

namespace BlockStore;

/// <summary>Opens (and recovers) the store when the host starts, so a bad configuration fails fast, and flushes it when the host stops.</summary>
internal sealed class BlockStoreHostedService(MessageStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.OpenAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => store.FlushAsync(cancellationToken);
}
