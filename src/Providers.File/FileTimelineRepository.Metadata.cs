namespace BlockStore.Providers.File;

/// <summary>The metadata members: block records written to the block index first, then the log record that reaches them, then the directory.</summary>
internal sealed partial class FileTimelineRepository
{
    /// <summary>The most block records one append writes, so a migration of a large data set needs no huge buffer.</summary>
    private const int MaxRecordsPerAppend = 65536;

    public IAsyncEnumerable<TimelineKey> LoadTimelinesAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        TimelineKey[] keys;
        lock (_lock)
        {
            keys = [.. _timelines.Keys];
        }

        return keys.ToAsyncEnumerable();
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
            keepFrom = Math.Max(_keepFrom, journalKeepFrom);
            if (blocks.Count > 0 || keepFrom != _keepFrom)
            {
                // Chain each block to its timeline's newest: one already in the directory, or one earlier in this commit.
                BlockIndexBatch batch = _index.BeginAppend();
                var staged = new List<(TimelineKey Key, long Offset, BlockEntry Entry)>(blocks.Count);
                var newest = new Dictionary<TimelineKey, (long Offset, int Position, long LastSeqId)>();
                for (int i = 0; i < blocks.Count; i++)
                {
                    BlockInfo block = blocks[i] ?? throw new ArgumentException($"Block {i} is null.", nameof(blocks));
                    var key = new TimelineKey(block.Kind, block.TimelineId);
                    ValidateKey(key);
                    (long head, int position, long lastSeqId) = newest.TryGetValue(key, out var pending)
                        ? pending
                        : _timelines.TryGetValue(key, out DirectoryEntry entry) ? (entry.Head, entry.Blocks, entry.LastSeqId) : (0, 0, 0);
                    if ((head != 0 || lastSeqId > 0) && block.FirstSeqId <= lastSeqId)
                    {
                        // Recorded already (a commit reported as failed after its record became durable, or replaced or dropped by a
                        // compaction since): keep what is recorded.
                        continue;
                    }

                    var added = BlockEntry.From(block);
                    long offset = batch.Add(head, position, added);
                    newest[key] = (offset, position + 1, block.LastSeqId);
                    staged.Add((key, offset, added));
                }

                _index.Append(batch);
                _record.Clear();
                _record.WriteByte(CommitRecord);
                _record.WriteInt64(keepFrom);
                _record.WriteInt32(staged.Count);
                foreach ((TimelineKey key, long offset, BlockEntry entry) in staged)
                {
                    WriteCommitted(key, offset, entry);
                }

                // The record reaching the new block records and holding the trim point is durable before any journal segment is deleted.
                _metadata.Append(_record.WrittenSpan);
                foreach ((TimelineKey key, long offset, BlockEntry entry) in staged)
                {
                    Committed(key, offset, entry.Count, entry.FirstSeqId, entry.LastSeqId, entry.LastTimestamp);
                }

                _keepFrom = keepFrom;
                _metadata.CompactIfDue(_snapshotSource);
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
            _record.Clear();
            _record.WriteByte(RegisterRecord);
            _record.WriteInt32(0);
            for (int i = 0; i < timelines.Count; i++)
            {
                TimelineKey key = timelines[i];
                if (!_timelines.ContainsKey(key) && (added ??= []).Add(key))
                {
                    WriteKey(key);
                }
            }

            if (added is null)
            {
                return ValueTask.CompletedTask;
            }

            _record.PatchInt32(1, added.Count);
            _metadata.Append(_record.WrittenSpan);
            foreach (TimelineKey key in added)
            {
                Registered(key);
            }

            _metadata.CompactIfDue(_snapshotSource);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Registers a timeline in the directory (if new) and counts it.</summary>
    private void Registered(TimelineKey key)
    {
        if (_timelines.TryAdd(key, default))
        {
            TimelineAdded(key);
        }
    }

    /// <summary>Moves a timeline's directory entry to a newly recorded block at <paramref name="offset"/>; a block recorded already is ignored.</summary>
    private void Committed(TimelineKey key, long offset, int count, long firstSeqId, long lastSeqId, long lastTimestamp)
    {
        ref DirectoryEntry entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_timelines, key, out bool exists);
        if (!exists)
        {
            TimelineAdded(key);
        }

        if ((entry.Blocks > 0 || entry.LastSeqId > 0) && firstSeqId <= entry.LastSeqId)
        {
            return;
        }

        entry = new DirectoryEntry(offset, entry.Blocks + 1, entry.Entries + count, lastSeqId);
        BlockAdded(key, count, lastSeqId, lastTimestamp);
    }

    /// <summary>Writes the block records of the lists gathered from a data set written before the block index existed, then rewrites its metadata.</summary>
    private void MigrateLegacy()
    {
        if (_legacy is null)
        {
            return;
        }

        BlockIndexBatch batch = _index.BeginAppend();
        var staged = new List<(TimelineKey Key, long Offset, BlockEntry Entry)>();
        foreach ((TimelineKey key, List<BlockEntry> entries) in _legacy)
        {
            DirectoryEntry directory = _timelines.GetValueOrDefault(key);
            (long head, int position) = (directory.Head, directory.Blocks);
            foreach (BlockEntry entry in entries)
            {
                if (batch.Count == MaxRecordsPerAppend)
                {
                    AppendMigrated(batch, staged);
                    batch = _index.BeginAppend();
                }

                head = batch.Add(head, position++, entry);
                staged.Add((key, head, entry));
            }
        }

        AppendMigrated(batch, staged);
        _legacy = null;

        // The snapshot now holds the directory instead of the block lists; a crash before this point migrates again.
        _metadata.Compact(_snapshotSource);
    }

    private void AppendMigrated(BlockIndexBatch batch, List<(TimelineKey Key, long Offset, BlockEntry Entry)> staged)
    {
        _index.Append(batch);
        foreach ((TimelineKey key, long offset, BlockEntry entry) in staged)
        {
            Committed(key, offset, entry.Count, entry.FirstSeqId, entry.LastSeqId, entry.LastTimestamp);
        }

        staged.Clear();
    }

    private IEnumerable<BlockInfo> EnumerateBlocks(CancellationToken cancellationToken)
    {
        var keys = new List<(TimelineKey Key, long Head, int Blocks)>();
        lock (_lock)
        {
            foreach (KeyValuePair<TimelineKey, DirectoryEntry> pair in _timelines)
            {
                if (pair.Value.Head != 0)
                {
                    keys.Add((pair.Key, pair.Value.Head, pair.Value.Blocks));
                }
            }
        }

        keys.Sort(static (a, b) => a.Key.Kind != b.Key.Kind ? a.Key.Kind.CompareTo(b.Key.Kind) : string.CompareOrdinal(a.Key.Id, b.Key.Id));
        var chain = new List<BlockEntry>();
        foreach ((TimelineKey key, long head, int blocks) in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            chain.Clear();
            for ((long offset, int position) = (head, blocks); offset != 0; position--)
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

    /// <summary>Adds a block to a legacy list, kept sorted; a block sealed again after a failed commit replaces the first copy.</summary>
    private void AddLegacyBlock(TimelineKey key, BlockEntry entry)
    {
        Registered(key);
        _legacy ??= [];
        if (!_legacy.TryGetValue(key, out List<BlockEntry>? entries))
        {
            _legacy[key] = entries = [];
        }

        if (entries.Count == 0 || entries[^1].FirstSeqId < entry.FirstSeqId)
        {
            entries.Add(entry);
            return;
        }

        int low = 0;
        int high = entries.Count - 1;
        while (low <= high)
        {
            int mid = (low + high) >>> 1;
            long first = entries[mid].FirstSeqId;
            if (first == entry.FirstSeqId)
            {
                entries[mid] = entry;
                return;
            }

            if (first < entry.FirstSeqId)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        entries.Insert(low, entry);
    }
}
