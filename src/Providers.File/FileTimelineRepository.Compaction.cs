namespace BlockStore.Providers.File;

/// <summary>
/// Compaction and erasure: a replacement writes a fresh chain for the changed part of a timeline (the records older than the
/// first change are shared with the old chain) and one directory write moves the timeline's entry to it; a deletion is one
/// directory write that drops the entry. The old records stay in the block index as garbage nothing reaches, so a lookup that read
/// the old head before the switch keeps walking a complete old chain: it sees the old blocks or the new ones, never a mix.
/// </summary>
internal sealed partial class FileTimelineRepository
{
    /// <summary>Whether a deletion was written since the last forced merge, so a directory file may still hold a deleted timeline's id.</summary>
    private bool _deletedSinceSnapshot;

    public ValueTask ReplaceBlocksAsync(TimelineKey key, IReadOnlyList<BlockInfo> removed, IReadOnlyList<BlockInfo> added, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        CheckBlocks(key, removed, nameof(removed));
        CheckBlocks(key, added, nameof(added));
        cancellationToken.ThrowIfCancellationRequested();
        if (removed.Count == 0 && added.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        lock (_lock)
        {
            if (Lookup(key) is not DirectoryEntry entry)
            {
                throw new ArgumentException($"The {key.Kind} timeline '{key.Id}' is not registered.", nameof(key));
            }

            // Records older than the first block that changes stay as they are; the chain is written afresh from there.
            long firstChanged = long.MaxValue;
            foreach (BlockInfo block in removed)
            {
                firstChanged = Math.Min(firstChanged, block.FirstSeqId);
            }

            foreach (BlockInfo block in added)
            {
                firstChanged = Math.Min(firstChanged, block.FirstSeqId);
            }

            (long kept, IndexRecord keptRecord) = Seek(entry.Head, entry.Blocks, new StartsBefore(firstChanged, long.MaxValue));
            int keptBlocks = kept == 0 ? 0 : keptRecord.Position;
            var tail = new List<BlockInfo>(entry.Blocks - keptBlocks + added.Count);
            CollectOlder(key, entry.Head, entry.Blocks, entry.Blocks - keptBlocks, tail);
            List<BlockInfo> chain = MergeChain(tail, removed, added, out long entriesRemoved);

            BlockIndexBatch batch = _index.BeginAppend();
            long head = kept;
            int position = keptBlocks;
            long entries = entry.Entries - entriesRemoved;
            foreach (BlockInfo block in chain)
            {
                head = batch.Add(head, position++, BlockEntry.From(block));
            }

            foreach (BlockInfo block in added)
            {
                entries += block.Count;
            }

            long lastSeqId = chain.Count > 0 ? Math.Max(entry.LastSeqId, chain[^1].LastSeqId) : entry.LastSeqId;
            var replaced = new DirectoryEntry(head, position, entries, lastSeqId);

            // The new records are durable before the directory write that reaches them; until it is, lookups use the old chain.
            _index.Append(batch);
            var write = new SortedTableBatch();
            write.Put(DirectoryKeys.Encode(key), replaced.Encode());
            WriteWithTotals(write, _totals.Replaced(key, entry, replaced));
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DeleteTimelineAsync(TimelineKey key, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (Lookup(key) is not DirectoryEntry entry)
            {
                return ValueTask.CompletedTask;
            }

            var write = new SortedTableBatch();
            write.Delete(DirectoryKeys.Encode(key));
            WriteWithTotals(write, _totals.Counted(key, entry, -1));
            _deletedSinceSnapshot = true;
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Gives back the space of trimmed journal records (see <see cref="FileJournal.Reclaim"/>) and, after a deletion, merges the
    /// key directory so no file keeps a deleted timeline's id. Called between writer turns.
    /// </summary>
    public void Reclaim()
    {
        long keepFrom;
        lock (_lock)
        {
            keepFrom = _totals.KeepFrom;
            if (_deletedSinceSnapshot)
            {
                _directory.Merge();
                _deletedSinceSnapshot = false;
            }
        }

        _journal.Trim(keepFrom);
        _journal.Reclaim(keepFrom);
    }

    /// <summary>Checks that every block of a replacement is there and belongs to the timeline.</summary>
    private static void CheckBlocks(TimelineKey key, IReadOnlyList<BlockInfo> blocks, string paramName)
    {
        ArgumentNullException.ThrowIfNull(blocks, paramName);
        for (int i = 0; i < blocks.Count; i++)
        {
            BlockInfo block = blocks[i] ?? throw new ArgumentException($"Block {i} is null.", paramName);
            if (block.Kind != key.Kind || !string.Equals(block.TimelineId, key.Id, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Block {i} belongs to the {block.Kind} timeline '{block.TimelineId}', not to the {key.Kind} timeline '{key.Id}'.", paramName);
            }

            if (block.FirstSeqId > block.LastSeqId)
            {
                throw new ArgumentException($"Block {i} starts at SeqId {block.FirstSeqId}, after its last {block.LastSeqId}.", paramName);
            }
        }
    }

    /// <summary>
    /// The blocks of <paramref name="tail"/> (newest first) less <paramref name="removed"/>, plus <paramref name="added"/>, oldest
    /// first; refuses a removed block the tail lacks and an added block that overlaps another.
    /// </summary>
    private static List<BlockInfo> MergeChain(List<BlockInfo> tail, IReadOnlyList<BlockInfo> removed, IReadOnlyList<BlockInfo> added, out long entriesRemoved)
    {
        var drop = new HashSet<long>(removed.Count);
        foreach (BlockInfo block in removed)
        {
            drop.Add(block.FirstSeqId);
        }

        var chain = new List<BlockInfo>(tail.Count + added.Count);
        entriesRemoved = 0;
        foreach (BlockInfo block in tail)
        {
            if (drop.Remove(block.FirstSeqId))
            {
                entriesRemoved += block.Count;
            }
            else
            {
                chain.Add(block);
            }
        }

        if (drop.Count > 0)
        {
            throw new ArgumentException($"No block of the timeline starts at SeqId {drop.First()}.", nameof(removed));
        }

        chain.AddRange(added);
        chain.Sort(static (a, b) => a.FirstSeqId.CompareTo(b.FirstSeqId));
        for (int i = 1; i < chain.Count; i++)
        {
            if (chain[i].FirstSeqId <= chain[i - 1].LastSeqId)
            {
                throw new ArgumentException(
                    $"The block starting at SeqId {chain[i].FirstSeqId} overlaps the one ending at {chain[i - 1].LastSeqId}.", nameof(added));
            }
        }

        return chain;
    }
}
