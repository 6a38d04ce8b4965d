namespace BlockStore.Providers.File;

/// <summary>The metadata members: block records written to the block index first, then the directory table write that reaches them.</summary>
internal sealed partial class FileTimelineRepository
{
    /// <summary>The most block records one append writes, so a migration of a large data set needs no huge buffer.</summary>
    private const int MaxRecordsPerAppend = 65536;

    public IAsyncEnumerable<TimelineKey> LoadTimelinesAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Timelines(cancellationToken).Select(static pair => pair.Key).ToAsyncEnumerable();
    }

    public IAsyncEnumerable<BlockInfo> LoadBlocksAsync(CancellationToken cancellationToken = default) =>
        EnumerateBlocks(cancellationToken).ToAsyncEnumerable();

    public ValueTask CommitBlocksAsync(IReadOnlyList<BlockInfo> blocks, long journalKeepFrom, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        cancellationToken.ThrowIfCancellationRequested();
        long keepFrom;
        lock (_lock)
        {
            keepFrom = Math.Max(_totals.KeepFrom, journalKeepFrom);
            if (blocks.Count > 0 || keepFrom != _totals.KeepFrom)
            {
                // Chain each block to its timeline's newest: one already in the directory, or one earlier in this commit.
                BlockIndexBatch batch = _index.BeginAppend();
                var changed = new Dictionary<TimelineKey, (DirectoryEntry Entry, bool Existed)>();
                DirectoryTotals totals = _totals with { KeepFrom = keepFrom };
                for (int i = 0; i < blocks.Count; i++)
                {
                    BlockInfo block = blocks[i] ?? throw new ArgumentException($"Block {i} is null.", nameof(blocks));
                    var key = new TimelineKey(block.Kind, block.TimelineId);
                    ValidateKey(key);
                    if (!changed.TryGetValue(key, out var current))
                    {
                        DirectoryEntry? recorded = Lookup(key);
                        current = (recorded ?? default, recorded is not null);
                    }

                    DirectoryEntry entry = current.Entry;
                    if ((entry.Head != 0 || entry.LastSeqId > 0) && block.FirstSeqId <= entry.LastSeqId)
                    {
                        // Recorded already (a commit reported as failed after its record became durable, or replaced or dropped by a
                        // compaction since): keep what is recorded.
                        continue;
                    }

                    long offset = batch.Add(entry.Head, entry.Blocks, BlockEntry.From(block));
                    changed[key] = (new DirectoryEntry(offset, entry.Blocks + 1, entry.Entries + block.Count, block.LastSeqId), current.Existed);
                    totals = totals.BlockAdded(key, block.Count, block.LastSeqId, block.LastTimestamp);
                }

                _index.Append(batch);
                var write = new SortedTableBatch();
                foreach ((TimelineKey key, (DirectoryEntry entry, bool existed)) in changed)
                {
                    write.Put(DirectoryKeys.Encode(key), entry.Encode());
                    totals = existed ? totals : totals.TimelineAdded(key);
                }

                // The write reaching the new block records and holding the trim point is durable before any journal segment is deleted.
                WriteWithTotals(write, totals);
            }
        }

        _journal.Trim(keepFrom);
        return ValueTask.CompletedTask;
    }

    public ValueTask RegisterTimelinesAsync(IReadOnlyList<TimelineKey> timelines, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(timelines);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            HashSet<TimelineKey>? added = null;
            var write = new SortedTableBatch();
            DirectoryTotals totals = _totals;
            for (int i = 0; i < timelines.Count; i++)
            {
                TimelineKey key = timelines[i];
                ValidateKey(key);
                if (Lookup(key) is null && (added ??= []).Add(key))
                {
                    write.Put(DirectoryKeys.Encode(key), default(DirectoryEntry).Encode());
                    totals = totals.TimelineAdded(key);
                }
            }

            if (added is not null)
            {
                WriteWithTotals(write, totals);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Every registered timeline with its directory entry, in key order, as of the call.</summary>
    private IEnumerable<KeyValuePair<TimelineKey, DirectoryEntry>> Timelines(CancellationToken cancellationToken)
    {
        foreach (KeyValuePair<byte[], byte[]> record in _directory.Scan([]))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (DirectoryKeys.Decode(record.Key) is TimelineKey key)
            {
                yield return new(key, DecodeEntry(key, record.Value));
            }
        }
    }

    /// <summary>Writes the block records of the lists gathered from a data set written before the block index existed into the index.</summary>
    private void MigrateBlockLists(LegacyTimelineMetadata legacy)
    {
        if (legacy.Blocks is null)
        {
            return;
        }

        BlockIndexBatch batch = _index.BeginAppend();
        var staged = new List<(TimelineKey Key, long Offset, BlockEntry Entry)>();
        foreach ((TimelineKey key, List<BlockEntry> entries) in legacy.Blocks)
        {
            DirectoryEntry directory = legacy.Timelines.GetValueOrDefault(key);
            (long head, int position) = (directory.Head, directory.Blocks);
            foreach (BlockEntry entry in entries)
            {
                if (batch.Count == MaxRecordsPerAppend)
                {
                    AppendMigrated(legacy, batch, staged);
                    batch = _index.BeginAppend();
                }

                head = batch.Add(head, position++, entry);
                staged.Add((key, head, entry));
            }
        }

        AppendMigrated(legacy, batch, staged);
    }

    private void AppendMigrated(LegacyTimelineMetadata legacy, BlockIndexBatch batch, List<(TimelineKey Key, long Offset, BlockEntry Entry)> staged)
    {
        _index.Append(batch);
        foreach ((TimelineKey key, long offset, BlockEntry entry) in staged)
        {
            legacy.Committed(key, offset, entry.Count, entry.FirstSeqId, entry.LastSeqId);
        }

        staged.Clear();
    }

    private IEnumerable<BlockInfo> EnumerateBlocks(CancellationToken cancellationToken)
    {
        var chain = new List<BlockEntry>();
        foreach ((TimelineKey key, DirectoryEntry entry) in Timelines(cancellationToken))
        {
            chain.Clear();
            for ((long offset, int position) = (entry.Head, entry.Blocks); offset != 0; position--)
            {
                IndexRecord record = _index.Read(offset, position);
                chain.Add(record.Entry);
                offset = record.Previous;
            }

            for (int i = chain.Count - 1; i >= 0; i--)
            {
                yield return chain[i].ToInfo(key);
            }
        }
    }

    private static void ValidateKey(TimelineKey key)
    {
        if (key.Kind is not (TimelineKind.Conversation or TimelineKind.User))
        {
            throw new ArgumentOutOfRangeException(nameof(key), key.Kind, "Unknown timeline kind.");
        }

        ArgumentNullException.ThrowIfNull(key.Id, nameof(key));
    }
}
