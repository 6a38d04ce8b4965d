namespace BlockStore.Providers.File;

/// <summary>
/// The index lookups: the directory gives a timeline's totals and newest block record under the lock; the chain of block
/// records is then walked from the newest without it (records never change once reachable). The running totals are kept
/// alongside the directory as records are applied.
/// </summary>
internal sealed partial class FileTimelineRepository
{
    private long _convTimelines;
    private long _userTimelines;
    private long _sealedBlocks;
    private long _sealedMessages;
    private long _maxSeqId;
    private long _maxTimestamp;

    public ValueTask<DataSetSummary> GetSummaryAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(new DataSetSummary(_convTimelines, _userTimelines, _sealedBlocks, _sealedMessages, _maxSeqId, _maxTimestamp));
        }
    }

    public ValueTask<TimelineMetadata?> GetTimelineAsync(TimelineKey key, int newestBlocks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key.Id, nameof(key));
        ArgumentOutOfRangeException.ThrowIfNegative(newestBlocks);
        cancellationToken.ThrowIfCancellationRequested();
        DirectoryEntry entry;
        lock (_lock)
        {
            if (!_timelines.TryGetValue(key, out entry))
            {
                return ValueTask.FromResult<TimelineMetadata?>(null);
            }
        }

        var newest = new List<BlockInfo>(Math.Min(newestBlocks, entry.Blocks));
        for (long offset = entry.Head; offset != 0 && newest.Count < newestBlocks;)
        {
            (long previous, BlockEntry block) = _index.Read(offset);
            newest.Add(block.ToInfo(key));
            offset = previous;
        }

        newest.Reverse();
        return ValueTask.FromResult<TimelineMetadata?>(new TimelineMetadata(key, entry.Blocks, entry.Entries, entry.LastSeqId, newest));
    }

    public ValueTask<IReadOnlyList<BlockInfo>> GetBlocksBeforeAsync(TimelineKey key, long beforeSeqId, int maxBlocks, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBlocks);
        cancellationToken.ThrowIfCancellationRequested();
        var result = new List<BlockInfo>();
        for (long offset = Head(key); offset != 0 && result.Count < maxBlocks;)
        {
            (long previous, BlockEntry block) = _index.Read(offset);
            if (block.FirstSeqId < beforeSeqId)
            {
                result.Add(block.ToInfo(key));
            }

            offset = previous;
        }

        return ValueTask.FromResult<IReadOnlyList<BlockInfo>>(result);
    }

    public ValueTask<IReadOnlyList<BlockInfo>> GetBlocksAfterAsync(TimelineKey key, long afterSeqId, long beforeSeqId, int maxBlocks, CancellationToken cancellationToken = default) =>
        GetBlocksByTimeAsync(key, long.MinValue, long.MaxValue, afterSeqId, beforeSeqId, maxBlocks, cancellationToken);

    public ValueTask<IReadOnlyList<BlockInfo>> GetBlocksByTimeAsync(
        TimelineKey key, long fromMs, long toMs, long afterSeqId, long beforeSeqId, int maxBlocks, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBlocks);
        cancellationToken.ThrowIfCancellationRequested();

        // Walk back from the newest block to the first that ends before the range, then return the oldest of those in it.
        var newestFirst = new List<BlockInfo>();
        for (long offset = Head(key); offset != 0;)
        {
            (long previous, BlockEntry block) = _index.Read(offset);
            if (block.LastSeqId <= afterSeqId || block.LastTimestamp < fromMs)
            {
                break;
            }

            if (block.FirstSeqId < beforeSeqId && block.FirstTimestamp < toMs)
            {
                newestFirst.Add(block.ToInfo(key));
            }

            offset = previous;
        }

        var result = new List<BlockInfo>(Math.Min(maxBlocks, newestFirst.Count));
        for (int i = newestFirst.Count - 1; i >= 0 && result.Count < maxBlocks; i--)
        {
            result.Add(newestFirst[i]);
        }

        return ValueTask.FromResult<IReadOnlyList<BlockInfo>>(result);
    }

    /// <summary>The offset of the newest block record of <paramref name="key"/>, or 0.</summary>
    private long Head(TimelineKey key)
    {
        lock (_lock)
        {
            return _timelines.GetValueOrDefault(key).Head;
        }
    }

    /// <summary>Counts a timeline registered for the first time in the totals.</summary>
    private void TimelineAdded(TimelineKey key)
    {
        if (key.Kind == TimelineKind.Conversation)
        {
            _convTimelines++;
        }
        else
        {
            _userTimelines++;
        }
    }

    /// <summary>Counts a newly recorded block in the totals.</summary>
    private void BlockAdded(TimelineKey key, int count, long lastSeqId, long lastTimestamp)
    {
        _sealedBlocks++;
        _sealedMessages += key.Kind == TimelineKind.Conversation ? count : 0;
        HighWater(lastSeqId, lastTimestamp);
    }

    /// <summary>Counts the blocks of a directory entry read from a snapshot in the totals.</summary>
    private void DirectoryLoaded(TimelineKey key, DirectoryEntry entry)
    {
        _sealedBlocks += entry.Blocks;
        _sealedMessages += key.Kind == TimelineKind.Conversation ? entry.Entries : 0;
        _maxSeqId = Math.Max(_maxSeqId, entry.LastSeqId);
    }

    private void HighWater(long seqId, long timestamp)
    {
        _maxSeqId = Math.Max(_maxSeqId, seqId);
        _maxTimestamp = Math.Max(_maxTimestamp, timestamp);
    }
}
