using System.Diagnostics;
using BlockStore.Diagnostics;

namespace BlockStore.Engine;

/// <summary>
/// What the engine reports to metrics, logs and health checks: counts since open, the store blocks go to, the last failed
/// durable write. The writer loop feeds it with one call per event; readers read it from any thread.
/// </summary>
internal sealed partial class StoreEngine
{
    private long _messagesAtOpen;
    private long _sealedBlocksAtOpen;
    private long _bytesWritten;
    private long _currentStoreId;
    private long _storeUsedBytes;
    private long _storeCapacityBytes;
    private WriteFailure? _lastWriteFailure;

    /// <summary>Messages appended since the store opened (recovered ones excluded).</summary>
    public long MessagesAppended => Interlocked.Read(ref _messages) - _messagesAtOpen;

    /// <summary>Blocks sealed since the store opened.</summary>
    public long BlocksSealed => Interlocked.Read(ref _sealedBlocks) - _sealedBlocksAtOpen;

    /// <summary>Journal and block bytes written since the store opened.</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    /// <summary>The last durable write that failed, or null when none failed since the last successful journal write.</summary>
    public WriteFailure? LastWriteFailure => Volatile.Read(ref _lastWriteFailure);

    /// <summary>The bytes used in the stores, headers included, as of the last seal (read without I/O, for the observable gauges).</summary>
    public long StoreUsedBytes => Interlocked.Read(ref _storeUsedBytes);

    /// <summary>The total capacity of the stores, as of the last seal (read without I/O, for the observable gauges).</summary>
    public long StoreCapacityBytes => Interlocked.Read(ref _storeCapacityBytes);

    /// <summary>Takes the baselines after recovery, so the counters count this process's work only.</summary>
    private async Task StartTelemetryAsync(CancellationToken cancellationToken)
    {
        _messagesAtOpen = _messages;
        _sealedBlocksAtOpen = _sealedBlocks;
        await RefreshStoreSizesAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the stores' figures from the provider into the values the gauges observe; at open and after each seal.</summary>
    private async Task RefreshStoreSizesAsync(CancellationToken cancellationToken = default)
    {
        long used = 0;
        long capacity = 0;
        foreach (StoreInfo store in await _session.Blocks.GetStoresAsync(cancellationToken).ConfigureAwait(false))
        {
            used += store.UsedBytes;
            capacity += store.Capacity;
            _currentStoreId = Math.Max(_currentStoreId, store.StoreId);
        }

        Interlocked.Exchange(ref _storeUsedBytes, used);
        Interlocked.Exchange(ref _storeCapacityBytes, capacity);
    }

    /// <summary>Refreshes the gauges' store figures after a committed seal; a failure leaves them stale and is logged, never failing the seal.</summary>
    private async Task RefreshStoreSizesAfterSealAsync()
    {
        try
        {
            await RefreshStoreSizesAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.StoreSizesUnavailable(_logger, ex, _session.Location);
        }
    }

    /// <summary>A group commit of <paramref name="messages"/> reached the journal in <paramref name="bytes"/> bytes; its write and flush took <paramref name="duration"/>.</summary>
    private void JournalCommitted(int messages, int bytes, TimeSpan duration)
    {
        _metrics.CommitBatchSize.Record(messages, _metrics.DataDir);
        _metrics.JournalCommitDuration.Record(duration.TotalSeconds, _metrics.DataDir);
        Interlocked.Add(ref _bytesWritten, bytes);
        if (_lastWriteFailure is not null)
        {
            Volatile.Write(ref _lastWriteFailure, null);
        }
    }

    /// <summary>Sealed blocks of <paramref name="bytes"/> bytes were written at <paramref name="locations"/>; logs each new store they begin.</summary>
    private void BlocksWritten(IReadOnlyList<StoreIndex> locations, long bytes)
    {
        Interlocked.Add(ref _bytesWritten, bytes);
        for (int i = 0; i < locations.Count; i++)
        {
            // One seal may fill several stores; blocks are written in order, so each new store shows up once, in order.
            if (locations[i].StoreId > _currentStoreId)
            {
                bool first = _currentStoreId == 0;
                _currentStoreId = locations[i].StoreId;
                if (first)
                {
                    Log.CreatedFirstStore(_logger, _session.Location, _currentStoreId);
                }
                else
                {
                    Log.RolledToNewStore(_logger, _session.Location, _currentStoreId);
                }
            }
        }
    }

    /// <summary>A seal that started at <paramref name="startedAt"/> (<see cref="Stopwatch"/> ticks) succeeded.</summary>
    private void SealCompleted(long startedAt) => _metrics.SealDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, _metrics.DataDir);

    private void WriteFailed(Exception exception) => Volatile.Write(ref _lastWriteFailure, new WriteFailure(DateTimeOffset.UtcNow, exception));
}
