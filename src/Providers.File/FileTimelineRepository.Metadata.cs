namespace BlockStore.Providers.File;

/// <summary>The metadata members: walks answered from memory; registrations and commits made durable in the log, then applied.</summary>
internal sealed partial class FileTimelineRepository
{
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
                _record.Clear();
                _record.WriteByte(CommitRecord);
                _record.WriteInt64(keepFrom);
                _record.WriteInt32(blocks.Count);
                for (int i = 0; i < blocks.Count; i++)
                {
                    BlockInfo block = blocks[i] ?? throw new ArgumentException($"Block {i} is null.", nameof(blocks));
                    WriteBlock(new TimelineKey(block.Kind, block.TimelineId), BlockEntry.From(block));
                }

                // The record holding the blocks and the trim point is durable before any journal segment is deleted.
                _metadata.Append(_record.WrittenSpan);
                for (int i = 0; i < blocks.Count; i++)
                {
                    BlockInfo block = blocks[i];
                    AddBlock(new TimelineKey(block.Kind, block.TimelineId), BlockEntry.From(block));
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
                if (_timelines.TryAdd(key, null))
                {
                    TimelineAdded(key);
                }
            }

            _metadata.CompactIfDue(_snapshotSource);
        }

        return ValueTask.CompletedTask;
    }

    private IEnumerable<BlockInfo> EnumerateBlocks(CancellationToken cancellationToken)
    {
        var keys = new List<TimelineKey>();
        lock (_lock)
        {
            foreach (KeyValuePair<TimelineKey, List<BlockEntry>?> pair in _timelines)
            {
                if (pair.Value is { Count: > 0 })
                {
                    keys.Add(pair.Key);
                }
            }
        }

        keys.Sort(static (a, b) => a.Kind != b.Kind ? a.Kind.CompareTo(b.Kind) : string.CompareOrdinal(a.Id, b.Id));
        foreach (TimelineKey key in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            BlockEntry[] entries;
            lock (_lock)
            {
                entries = [.. _timelines[key]!];
            }

            foreach (BlockEntry entry in entries)
            {
                yield return entry.ToInfo(key);
            }
        }
    }

    private void AddBlock(TimelineKey key, BlockEntry entry)
    {
        ref List<BlockEntry>? slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_timelines, key, out bool exists);
        if (!exists)
        {
            TimelineAdded(key);
        }

        List<BlockEntry> entries = slot ??= [];
        if (entries.Count == 0 || entries[^1].FirstSeqId < entry.FirstSeqId)
        {
            entries.Add(entry);
            BlockAdded(key, entry, null);
            return;
        }

        // Out of order or sealed again after a failed commit: keep the list sorted, the newer location wins.
        int low = 0;
        int high = entries.Count - 1;
        while (low <= high)
        {
            int mid = (low + high) >>> 1;
            long first = entries[mid].FirstSeqId;
            if (first == entry.FirstSeqId)
            {
                BlockAdded(key, entry, entries[mid]);
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
        BlockAdded(key, entry, null);
    }
}
