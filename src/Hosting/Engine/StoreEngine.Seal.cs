using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace BlockStore.Engine;

/// <summary>
/// Sealing: full blocks are sealed in groups (once <see cref="FrozenBlocksPerSeal"/> have gathered, on a flush, or on the
/// periodic maintenance tick); open blocks are sealed early, oldest first, when the journal or the open blocks pass their
/// budgets or a block has been open too long. Sealing writes the block bytes first, then commits the metadata together with
/// the journal trim, then publishes the blocks as sealed.
/// </summary>
internal sealed partial class StoreEngine
{
    private const int MaxTimelinesPerRound = 4096;
    private const int MaxTimelinesPerClosingRound = 65536;
    private const int MaxRoundsPerTurn = 16;

    /// <summary>Full blocks wait in memory until this many have gathered, so one seal writes many blocks in one commit.</summary>
    private const int FrozenBlocksPerSeal = 128;

    /// <summary>Every unsealed block (open or frozen), ordered by the first journal record it needs: the head bounds the journal.</summary>
    private readonly LinkedList<MemBlock> _unsealed = new();

    /// <summary>The timelines picked for the current seal round; reused, since only the writer seals.</summary>
    private readonly HashSet<TimelineBase> _drain = [];

    /// <summary>Timelines holding a full block that waits to be sealed.</summary>
    private readonly HashSet<TimelineBase> _frozen = [];

    /// <summary>Surviving journal records: id and the journal's total size before it, for the bytes a trim would drop.</summary>
    private readonly List<(long Id, long TotalBefore)> _journalRecords = [];
    private long _journalTotal;
    private long _journalBytesPublished;
    private long _unsealedBytes;
    private int _frozenBlocks;

    private long JournalBytes => _journalRecords.Count == 0 ? 0 : _journalTotal - _journalRecords[0].TotalBefore;

    private void JournalAppended(long id, int bytes)
    {
        _journalRecords.Add((id, _journalTotal));
        _journalTotal += bytes;
        Volatile.Write(ref _journalBytesPublished, JournalBytes);
    }

    /// <summary>The journal bytes from record <paramref name="id"/> on.</summary>
    private long JournalBytesFrom(long id)
    {
        int index = _journalRecords.BinarySearch((id, 0), JournalIdComparer.Instance);
        if (index < 0)
        {
            index = ~index;
        }

        return index >= _journalRecords.Count ? 0 : _journalTotal - _journalRecords[index].TotalBefore;
    }

    private void JournalTrimmed(long keepFrom)
    {
        int drop = 0;
        while (drop < _journalRecords.Count && _journalRecords[drop].Id < keepFrom)
        {
            drop++;
        }

        _journalRecords.RemoveRange(0, drop);
        Volatile.Write(ref _journalBytesPublished, JournalBytes);
    }

    /// <summary>
    /// Seals what is due: open blocks picked by <see cref="PickTimelinesToDrain"/>, and full blocks once enough have gathered
    /// or when <paramref name="sealFrozen"/> (a flush, or the periodic maintenance tick).
    /// </summary>
    private async Task SealDueAsync(bool sealFrozen)
    {
        for (int round = 0; round < MaxRoundsPerTurn; round++)
        {
            HashSet<TimelineBase> drain = PickTimelinesToDrain();
            bool frozenDue = _frozen.Count > 0 && (sealFrozen || _frozenBlocks >= FrozenBlocksPerSeal);
            if (drain.Count == 0 && !frozenDue)
            {
                return;
            }

            if (!await SealAsync(drain).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>Seals everything still open, so the journal is empty after a clean shutdown.</summary>
    private async Task SealAllAsync()
    {
        while (_unsealed.Count > 0)
        {
            HashSet<TimelineBase> drain = _drain;
            drain.Clear();
            for (LinkedListNode<MemBlock>? node = _unsealed.First; node is not null && drain.Count < MaxTimelinesPerClosingRound; node = node.Next)
            {
                drain.Add(node.Value.Owner);
            }

            if (!await SealAsync(drain).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>Chooses the timelines whose open blocks must be sealed now, walking the unsealed blocks oldest first.</summary>
    private HashSet<TimelineBase> PickTimelinesToDrain()
    {
        HashSet<TimelineBase> drain = _drain;
        drain.Clear();
        long now = Environment.TickCount64;
        long maxAgeMs = (long)_options.OpenBlockMaxAge.TotalMilliseconds;
        long freeTarget = _unsealedBytes > _options.OpenBlocksMaxBytes ? _unsealedBytes - (_options.OpenBlocksMaxBytes * 3 / 4) : 0;
        long journalTarget = JournalBytes > _options.JournalMaxBytes ? _options.JournalMaxBytes / 2 : long.MaxValue;
        long freed = 0;
        for (LinkedListNode<MemBlock>? node = _unsealed.First; node is not null && drain.Count < MaxTimelinesPerRound; node = node.Next)
        {
            MemBlock block = node.Value;
            if (drain.Contains(block.Owner))
            {
                continue;
            }

            bool due = now - block.OpenedAtTicks >= maxAgeMs
                || freed < freeTarget
                || JournalBytesFrom(block.FirstJournalId) > journalTarget;
            if (!due)
            {
                break;
            }

            drain.Add(block.Owner);
            freed += block.MemoryBytes;
        }

        return drain;
    }

    /// <summary>Seals the frozen blocks of every timeline, and all blocks of the timelines in <paramref name="drain"/>.</summary>
    /// <returns>False when nothing could be sealed (nothing to do, or the write failed and was logged).</returns>
    private async Task<bool> SealAsync(HashSet<TimelineBase> drain)
    {
        var jobs = new List<SealJob>();
        foreach (TimelineBase timeline in _frozen)
        {
            if (!drain.Contains(timeline))
            {
                timeline.PrepareSeal(includeOpen: false, jobs);
            }

            if (jobs.Count >= MaxTimelinesPerRound)
            {
                break;
            }
        }

        foreach (TimelineBase timeline in drain)
        {
            timeline.PrepareSeal(includeOpen: true, jobs);
        }

        if (jobs.Count == 0)
        {
            return false;
        }

        var sealing = new HashSet<MemBlock>(jobs.Count);
        var encoded = new ReadOnlyMemory<byte>[jobs.Count];
        long bytes = 0;
        for (int i = 0; i < jobs.Count; i++)
        {
            sealing.Add(jobs[i].Block);
            encoded[i] = jobs[i].Encoded;
            bytes += jobs[i].Encoded.Length;
        }

        long keepFrom = _nextSeqId;
        for (LinkedListNode<MemBlock>? node = _unsealed.First; node is not null; node = node.Next)
        {
            if (!sealing.Contains(node.Value))
            {
                keepFrom = node.Value.FirstJournalId;
                break;
            }
        }

        (List<IdempotencyEntry>, long, long)? carry = null;
        try
        {
            IReadOnlyList<StoreIndex> locations = await _session.Blocks.WriteBlocksAsync(encoded).ConfigureAwait(false);
            BlocksWritten(locations, bytes);
            var infos = new BlockInfo[jobs.Count];
            for (int i = 0; i < jobs.Count; i++)
            {
                StoreIndex location = locations[i];
                jobs[i].Location = location;
                jobs[i].Range = jobs[i].Range with { StoreId = location.StoreId, Offset = location.Offset, Size = location.Size };
                infos[i] = jobs[i].ToBlockInfo();
            }

            carry = await CarryKeysAsync(keepFrom).ConfigureAwait(false);
            await _session.Timelines.CommitBlocksAsync(infos, keepFrom).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.SealFailed(_logger, ex, jobs.Count);
            WriteFailed(ex);
            return false;
        }

        int start = 0;
        for (int i = 1; i <= jobs.Count; i++)
        {
            if (i == jobs.Count || jobs[i].Timeline != jobs[start].Timeline)
            {
                TimelineBase timeline = jobs[start].Timeline;
                timeline.CompleteSeal(CollectionsMarshal.AsSpan(jobs).Slice(start, i - start), _cache);
                if (!timeline.HasFrozen)
                {
                    _frozen.Remove(timeline);
                }

                start = i;
            }
        }

        foreach (SealJob job in jobs)
        {
            _unsealed.Remove(job.Block.Node!);
            _unsealedBytes -= job.Block.MemoryBytes;
        }

        foreach (SealJob job in jobs)
        {
            if (job.WasFrozen)
            {
                _frozenBlocks--;
            }
        }

        KeysCarried(carry);
        Interlocked.Add(ref _openBlocks, -jobs.Count);
        Interlocked.Add(ref _sealedBlocks, jobs.Count);
        JournalTrimmed(keepFrom);
        Log.Sealed(_logger, jobs.Count, bytes, keepFrom);
        return true;
    }

    private sealed class JournalIdComparer : IComparer<(long Id, long TotalBefore)>
    {
        public static readonly JournalIdComparer Instance = new();

        public int Compare((long Id, long TotalBefore) x, (long Id, long TotalBefore) y) => x.Id.CompareTo(y.Id);
    }
}
