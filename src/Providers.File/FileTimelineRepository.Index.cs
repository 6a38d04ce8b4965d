namespace BlockStore.Providers.File;

/// <summary>
/// The index lookups: the directory gives a timeline's totals and newest block record under the lock; the chain of block
/// records is then searched from the newest without it (records never change once reachable), following skip links to the
/// range asked for, then walking the blocks returned. The running totals are rewritten in the directory with every change.
/// </summary>
internal sealed partial class FileTimelineRepository
{
    /// <summary>The totals as last written to the directory.</summary>
    private DirectoryTotals _totals;

    public ValueTask<DataSetSummary> GetSummaryAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            DirectoryTotals t = _totals;
            return ValueTask.FromResult(new DataSetSummary(t.ConvTimelines, t.UserTimelines, t.SealedBlocks, t.SealedMessages, t.MaxSeqId, t.MaxTimestamp));
        }
    }

    public ValueTask<TimelineMetadata?> GetTimelineAsync(TimelineKey key, int newestBlocks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key.Id, nameof(key));
        ArgumentOutOfRangeException.ThrowIfNegative(newestBlocks);
        cancellationToken.ThrowIfCancellationRequested();
        if (Lookup(key) is not DirectoryEntry entry)
        {
            return ValueTask.FromResult<TimelineMetadata?>(null);
        }

        var newest = new List<BlockInfo>(Math.Min(newestBlocks, entry.Blocks));
        CollectOlder(key, entry.Head, entry.Blocks, newestBlocks, newest);
        newest.Reverse();
        return ValueTask.FromResult<TimelineMetadata?>(new TimelineMetadata(key, entry.Blocks, entry.Entries, entry.LastSeqId, newest));
    }

    public ValueTask<IReadOnlyList<BlockInfo>> GetBlocksBeforeAsync(TimelineKey key, long beforeSeqId, int maxBlocks, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBlocks);
        cancellationToken.ThrowIfCancellationRequested();
        (long head, int position) = Head(key);
        (long offset, IndexRecord newest) = Seek(head, position, new StartsBefore(beforeSeqId, long.MaxValue));
        var result = new List<BlockInfo>();
        CollectOlder(key, offset, newest.Position, maxBlocks, result);
        return ValueTask.FromResult<IReadOnlyList<BlockInfo>>(result);
    }

    public ValueTask<IReadOnlyList<BlockInfo>> GetBlocksAfterAsync(TimelineKey key, long afterSeqId, long beforeSeqId, int maxBlocks, CancellationToken cancellationToken = default) =>
        GetBlocksByTimeAsync(key, long.MinValue, long.MaxValue, afterSeqId, beforeSeqId, maxBlocks, cancellationToken);

    public ValueTask<IReadOnlyList<BlockInfo>> GetBlocksByTimeAsync(
        TimelineKey key, long fromMs, long toMs, long afterSeqId, long beforeSeqId, int maxBlocks, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBlocks);
        cancellationToken.ThrowIfCancellationRequested();

        // The blocks asked for are consecutive: newer than the newest that ends before the range, no newer than the newest that
        // starts before its end. Three seeks find the two ends and the newest block of the oldest page, then the page is walked.
        (long head, int position) = Head(key);
        (long upper, IndexRecord newest) = Seek(head, position, new StartsBefore(beforeSeqId, toMs));
        (_, IndexRecord below) = Seek(upper, newest.Position, new EndsBefore(afterSeqId, fromMs));
        int count = Math.Min(newest.Position - below.Position, maxBlocks);
        if (count <= 0)
        {
            return ValueTask.FromResult<IReadOnlyList<BlockInfo>>([]);
        }

        int last = below.Position + count;
        long offset = last == newest.Position ? upper : Seek(upper, newest.Position, new AtOrBefore(last)).Offset;
        var result = new List<BlockInfo>(count);
        CollectOlder(key, offset, last, count, result);
        result.Reverse();
        return ValueTask.FromResult<IReadOnlyList<BlockInfo>>(result);
    }

    /// <summary>The key directory table (its memtable and pages, for tests).</summary>
    internal SortedTable Directory => _directory;

    /// <summary>Reads how many records the lookups have read since open (their cost, for tests).</summary>
    internal long IndexRecordsRead => _index.RecordsRead;

    /// <summary>The offset and position of the newest block record of <paramref name="key"/>, or zeros.</summary>
    private (long Head, int Blocks) Head(TimelineKey key)
    {
        DirectoryEntry entry = Lookup(key) ?? default;
        return (entry.Head, entry.Blocks);
    }

    /// <summary>Adds up to <paramref name="maxBlocks"/> blocks of a chain to <paramref name="result"/>, newest first, from the record at <paramref name="offset"/>.</summary>
    private void CollectOlder(TimelineKey key, long offset, int position, int maxBlocks, List<BlockInfo> result)
    {
        for (int taken = 0; offset != 0 && taken < maxBlocks; taken++, position--)
        {
            IndexRecord record = _index.Read(offset, position);
            result.Add(record.Entry.ToInfo(key));
            offset = record.Previous;
        }
    }

    /// <summary>
    /// The newest record of the chain from <paramref name="head"/> (at <paramref name="position"/>) that <paramref name="bound"/>
    /// has reached, given that once reached it stays reached towards the oldest; (0, default) when none has. Follows a record's
    /// jump when the record jumped to is still short of the bound, else its previous: O(log n) reads.
    /// </summary>
    private (long Offset, IndexRecord Record) Seek<TBound>(long head, int position, TBound bound)
        where TBound : struct, IChainBound
    {
        if (head == 0)
        {
            return (0, default);
        }

        long offset = head;
        IndexRecord record = _index.Read(head, position);
        while (!bound.Reached(record))
        {
            if (record.Jump != 0 && record.Jump != record.Previous)
            {
                IndexRecord jumped = _index.Read(record.Jump, record.JumpPosition);
                if (!bound.Reached(jumped))
                {
                    (offset, record) = (record.Jump, jumped);
                    continue;
                }
            }

            if (record.Previous == 0)
            {
                return (0, default);
            }

            (offset, record) = (record.Previous, _index.Read(record.Previous, record.Position - 1));
        }

        return (offset, record);
    }

    /// <summary>Reads the totals from the directory (zeros for a new data set).</summary>
    private void LoadTotals()
    {
        byte[]? value = _directory.Get(DirectoryKeys.Totals);
        try
        {
            _totals = value is null ? default : DirectoryTotals.Decode(value);
        }
        catch (InvalidDataException ex)
        {
            throw new BlockStoreException($"The BlockStore key directory '{_directory.RunPath}' cannot be used: its totals are invalid ({ex.Message}).", ex);
        }
    }

    /// <summary>Writes <paramref name="batch"/> with <paramref name="totals"/> as one durable change, then adopts the totals (writer, under the lock).</summary>
    private void WriteWithTotals(SortedTableBatch batch, DirectoryTotals totals)
    {
        batch.Put(DirectoryKeys.Totals, totals.Encode());
        _directory.Write(batch);
        _totals = totals;
    }
}
