using BlockStore.Engine;
using BlockStore.Orleans.Grains;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BlockStore.Orleans;

/// <summary>The <see cref="IMessageStoreFactory"/> of a cluster client or co-hosted app: each data set's store calls that data set's grain.</summary>
/// <param name="grains">Creates grain references.</param>
/// <param name="limits">The options arguments are checked against before they are sent (the silos' options, where known).</param>
/// <param name="loggerFactory">Where failed calls are logged.</param>
internal sealed class OrleansMessageStoreFactory(IGrainFactory grains, BlockStoreOptions limits, ILoggerFactory? loggerFactory = null) : IMessageStoreFactory
{
    private readonly ILogger _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<OrleansMessageStoreFactory>();
    private int _disposed;

    public IMessageStore Get(string dataSetId)
    {
        Guard.Id(dataSetId, nameof(dataSetId));
        ThrowIfDisposed();
        return new GrainMessageStore(grains.GetGrain<IDataSetGrain>(dataSetId), dataSetId, limits, this, _logger);
    }

    /// <summary>Stops handing out stores and ends their calls; the data sets stay on the cluster.</summary>
    public ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _disposed, 1);
        return ValueTask.CompletedTask;
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
