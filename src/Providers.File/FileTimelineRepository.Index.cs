namespace BlockStore.Providers.File;

/// <summary>
/// The index lookups, answered from the timelines held in memory (the metadata log is replayed into them at open), and the
/// running totals kept alongside them as records are applied.
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
        lock (_lock)
        {
            if (!_timelines.TryGetValue(key, out List<BlockEntry>? entries))
            {
                return ValueTask.FromResult<TimelineMetadata?>(null);
            }

            if (entries is not { Count: > 0 })
            {
                return ValueTask.FromResult<TimelineMetadata?>(new TimelineMetadata(key, 0, 0, 0, []));
            }

            long total = 0;
            foreach (BlockEntry entry in entries)
            {
                total += entry.Count;
            }

            int take = Math.Min(newestBlocks, entries.Count);
            var newest = new BlockInfo[take];
            for (int i = 0; i < take; i++)
            {
                newest[i] = entries[entries.Count - take + i].ToInfo(key);
            }

            return ValueTask.FromResult<TimelineMetadata?>(new TimelineMetadata(key, entries.Count, total, entries[^1].LastSeqId, newest));
        }
    }

    public ValueTask<IReadOnlyList<BlockInfo>> GetBlocksBeforeAsync(TimelineKey key, long beforeSeqId, int maxBlocks, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBlocks);
        cancellationToken.ThrowIfCancellationRequested();
        var result = new List<BlockInfo>();
        lock (_lock)
        {
            if (_timelines.GetValueOrDefault(key) is { } entries)
            {
                for (int i = FirstStartingAtOrAbove(entries, beforeSeqId) - 1; i >= 0 && result.Count < maxBlocks; i--)
                {
                    result.Add(entries[i].ToInfo(key));
                }
            }
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
        var result = new List<BlockInfo>();
        lock (_lock)
        {
            if (_timelines.GetValueOrDefault(key) is { } entries)
            {
                for (int i = FirstEndingAbove(entries, afterSeqId); i < entries.Count && result.Count < maxBlocks; i++)
                {
                    BlockEntry entry = entries[i];
                    if (entry.FirstSeqId >= beforeSeqId || entry.FirstTimestamp >= toMs)
                    {
                        break;
                    }

                    if (entry.LastTimestamp >= fromMs)
                    {
                        result.Add(entry.ToInfo(key));
                    }
                }
            }
        }

        return ValueTask.FromResult<IReadOnlyList<BlockInfo>>(result);
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

    /// <summary>Counts a block in the totals; <paramref name="replaced"/> is the block it took the place of, if any.</summary>
    private void BlockAdded(TimelineKey key, in BlockEntry entry, BlockEntry? replaced)
    {
        long messages = key.Kind == TimelineKind.Conversation ? entry.Count - (replaced?.Count ?? 0) : 0;
        _sealedBlocks += replaced is null ? 1 : 0;
        _sealedMessages += messages;
        _maxSeqId = Math.Max(_maxSeqId, entry.LastSeqId);
        _maxTimestamp = Math.Max(_maxTimestamp, entry.LastTimestamp);
    }

    /// <summary>The index of the oldest block whose first SeqId is at or above <paramref name="seqId"/>, or the count.</summary>
    private static int FirstStartingAtOrAbove(List<BlockEntry> entries, long seqId)
    {
        int lo = 0;
        int hi = entries.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (entries[mid].FirstSeqId >= seqId)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }

    /// <summary>The index of the oldest block whose last SeqId is above <paramref name="seqId"/>, or the count.</summary>
    private static int FirstEndingAbove(List<BlockEntry> entries, long seqId)
    {
        int lo = 0;
        int hi = entries.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (entries[mid].LastSeqId > seqId)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }
}
