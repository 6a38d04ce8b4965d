using System.Collections.Concurrent;

namespace BlockStore.Engine;

/// <summary>
/// Readers: each takes one published <see cref="TimelineState{T}"/> of a timeline and walks it, open and frozen blocks from
/// memory, sealed blocks through the cache. No reader takes a lock the writer holds.
/// </summary>
internal sealed partial class StoreEngine
{
    /// <summary>Users whose checkpoint was read clamped to their timeline's end, so that is logged once per user.</summary>
    private readonly ConcurrentDictionary<string, byte> _clampedCheckpoints = new(StringComparer.Ordinal);

    public async ValueTask<IReadOnlyList<Message>> GetConvMessagesAsync(string convId, int limit, long beforeSeqId, CancellationToken cancellationToken)
    {
        if (!_convs.TryGetValue(convId, out Timeline<ConvEntry>? timeline))
        {
            return [];
        }

        TimelineState<ConvEntry> state = timeline.State;
        long upper = beforeSeqId == 0 ? long.MaxValue : beforeSeqId;
        var newestFirst = new List<Message>(Math.Min(limit, 1024));
        if (state.Open is { } open)
        {
            TakeNewest(open.Snapshot(), upper, limit, newestFirst);
        }

        for (int i = state.Frozen.Length - 1; i >= 0 && newestFirst.Count < limit; i--)
        {
            TakeNewest(state.Frozen[i].Snapshot(), upper, limit, newestFirst);
        }

        int index = LastBlockStartingBelow(timeline.Sealed.Snapshot(state.SealedCount), upper);
        for (; index >= 0 && newestFirst.Count < limit; index--)
        {
            SealedBlock block = timeline.Sealed.Snapshot(state.SealedCount)[index];
            ConvEntry[] entries = await LoadAsync(timeline, block, cancellationToken).ConfigureAwait(false);
            TakeNewest(entries, upper, limit, newestFirst);
        }

        newestFirst.Reverse();
        return newestFirst;
    }

    public async ValueTask<IReadOnlyList<Message>> GetConvMessagesByTimeAsync(string convId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        if (!_convs.TryGetValue(convId, out Timeline<ConvEntry>? timeline))
        {
            return [];
        }

        // CreatedAt has whole milliseconds, so from <= t < to becomes fromMs <= t < toMs with both bounds rounded up.
        long fromMs = CeilingMilliseconds(from);
        long toMs = CeilingMilliseconds(to);
        TimelineState<ConvEntry> state = timeline.State;
        var result = new List<Message>(Math.Min(limit, 1024));
        int index = FirstBlockEndingAtOrAfter(timeline.Sealed.Snapshot(state.SealedCount), fromMs);
        for (; index < state.SealedCount && result.Count < limit; index++)
        {
            SealedBlock block = timeline.Sealed.Snapshot(state.SealedCount)[index];
            if (block.FirstTimestamp >= toMs)
            {
                return result;
            }

            ConvEntry[] entries = await LoadAsync(timeline, block, cancellationToken).ConfigureAwait(false);
            TakeInWindow(entries, fromMs, toMs, limit, result);
        }

        foreach (MemBlock<ConvEntry> frozen in state.Frozen)
        {
            TakeInWindow(frozen.Snapshot(), fromMs, toMs, limit, result);
        }

        if (state.Open is { } open)
        {
            TakeInWindow(open.Snapshot(), fromMs, toMs, limit, result);
        }

        return result;
    }

    public async ValueTask<IReadOnlyList<Message>> GetUserMessagesAsync(string userId, long afterSeqId, int limit, CancellationToken cancellationToken)
    {
        if (!_users.TryGetValue(userId, out Timeline<UserEntry>? timeline))
        {
            return [];
        }

        TimelineState<UserEntry> state = timeline.State;
        var references = new List<UserEntry>(Math.Min(limit, 1024));
        int index = FirstBlockEndingAfter(timeline.Sealed.Snapshot(state.SealedCount), afterSeqId);
        for (; index < state.SealedCount && references.Count < limit; index++)
        {
            SealedBlock block = timeline.Sealed.Snapshot(state.SealedCount)[index];
            UserEntry[] entries = await LoadAsync(timeline, block, cancellationToken).ConfigureAwait(false);
            TakeOldest(entries, afterSeqId, limit, references);
        }

        foreach (MemBlock<UserEntry> frozen in state.Frozen)
        {
            TakeOldest(frozen.Snapshot(), afterSeqId, limit, references);
        }

        if (state.Open is { } open)
        {
            TakeOldest(open.Snapshot(), afterSeqId, limit, references);
        }

        var messages = new List<Message>(references.Count);
        foreach (UserEntry reference in references)
        {
            messages.Add(await ResolveAsync(reference, cancellationToken).ConfigureAwait(false));
        }

        return messages;
    }

    /// <summary>
    /// Reads a checkpoint. A negative one can only come from damaged storage and is reported, not returned. One beyond the
    /// user's newest SeqId is what a power cut under <see cref="Durability.Normal"/> leaves when the checkpoint outlived the
    /// journal tail it pointed into: it is read as the timeline's end (logged once per user), so the user's reads keep working.
    /// </summary>
    public async ValueTask<long> GetCheckpointAsync(string userId, CancellationToken cancellationToken)
    {
        long checkpoint = await _session.Checkpoints.GetAsync(userId, cancellationToken).ConfigureAwait(false);
        if (checkpoint < 0)
        {
            throw new BlockStoreException($"The stored checkpoint of user '{userId}' ({checkpoint}) is negative; the checkpoint data is damaged.");
        }

        long last = _users.TryGetValue(userId, out Timeline<UserEntry>? user) ? user.LastSeqId : 0;
        if (checkpoint > last)
        {
            if (_clampedCheckpoints.TryAdd(userId, 0))
            {
                Log.CheckpointClamped(_logger, userId, checkpoint, last);
            }

            return last;
        }

        return checkpoint;
    }

    /// <summary>Finds the conversation message a user timeline entry points at.</summary>
    private async ValueTask<Message> ResolveAsync(UserEntry reference, CancellationToken cancellationToken)
    {
        if (_convs.TryGetValue(reference.ConvId, out Timeline<ConvEntry>? conv))
        {
            TimelineState<ConvEntry> state = conv.State;
            if (state.Open is { Count: > 0 } open && open.First.SeqId <= reference.SeqId && Find(open.Snapshot(), reference.SeqId) is { } fromOpen)
            {
                return fromOpen;
            }

            foreach (MemBlock<ConvEntry> frozen in state.Frozen)
            {
                if (Find(frozen.Snapshot(), reference.SeqId) is { } fromFrozen)
                {
                    return fromFrozen;
                }
            }

            int index = LastBlockStartingBelow(conv.Sealed.Snapshot(state.SealedCount), reference.SeqId + 1);
            if (index >= 0)
            {
                SealedBlock block = conv.Sealed.Snapshot(state.SealedCount)[index];
                ConvEntry[] entries = await LoadAsync(conv, block, cancellationToken).ConfigureAwait(false);
                if (Find(entries, reference.SeqId) is { } fromSealed)
                {
                    return fromSealed;
                }
            }
        }

        throw new BlockStoreException($"Message {reference.SeqId} of conversation '{reference.ConvId}' is referenced by a user timeline but missing.");
    }

    /// <summary>Returns a sealed block's entries from the cache, or reads, verifies and caches them.</summary>
    private async ValueTask<T[]> LoadAsync<T>(Timeline<T> timeline, SealedBlock block, CancellationToken cancellationToken)
        where T : struct, ITimelineEntry<T>
    {
        long key = BlockCache.KeyOf(block.Location);
        if (_cache.TryGet(key, out object cached))
        {
            return (T[])cached;
        }

        var bytes = new byte[block.Location.Size];
        await _session.Blocks.ReadBlockAsync(block.Location, bytes, cancellationToken).ConfigureAwait(false);
        T[] entries = T.Decode(bytes, timeline.Id, block.Location);
        if (entries.Length != block.Count || entries[0].SeqId != block.FirstSeqId || entries[^1].SeqId != block.LastSeqId)
        {
            throw new CorruptBlockException(block.Location.StoreId, block.Location.Offset, "the block does not match its metadata");
        }

        _cache.Add(key, entries, Timeline<T>.EstimateCost(block.Location.Size, block.Count));
        return entries;
    }

    private static Message? Find(ReadOnlySpan<ConvEntry> entries, long seqId)
    {
        int lo = 0;
        int hi = entries.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            long seq = entries[mid].SeqId;
            if (seq == seqId)
            {
                return entries[mid].Message;
            }

            if (seq < seqId)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return null;
    }

    private static void TakeNewest(ReadOnlySpan<ConvEntry> entries, long upper, int limit, List<Message> newestFirst)
    {
        for (int i = entries.Length - 1; i >= 0 && newestFirst.Count < limit; i--)
        {
            if (entries[i].SeqId < upper)
            {
                newestFirst.Add(entries[i].Message);
            }
        }
    }

    private static void TakeOldest(ReadOnlySpan<UserEntry> entries, long afterSeqId, int limit, List<UserEntry> oldestFirst)
    {
        for (int i = 0; i < entries.Length && oldestFirst.Count < limit; i++)
        {
            if (entries[i].SeqId > afterSeqId)
            {
                oldestFirst.Add(entries[i]);
            }
        }
    }

    private static void TakeInWindow(ReadOnlySpan<ConvEntry> entries, long fromMs, long toMs, int limit, List<Message> result)
    {
        for (int i = 0; i < entries.Length && result.Count < limit; i++)
        {
            long ts = entries[i].Timestamp;
            if (ts >= toMs)
            {
                return;
            }

            if (ts >= fromMs)
            {
                result.Add(entries[i].Message);
            }
        }
    }

    /// <summary>The index of the newest block whose first SeqId is below <paramref name="upper"/>, or -1.</summary>
    private static int LastBlockStartingBelow(ReadOnlySpan<SealedBlock> blocks, long upper)
    {
        int lo = 0;
        int hi = blocks.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (blocks[mid].FirstSeqId < upper)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return hi;
    }

    /// <summary>The index of the oldest block whose last SeqId is above <paramref name="afterSeqId"/>, or the count.</summary>
    private static int FirstBlockEndingAfter(ReadOnlySpan<SealedBlock> blocks, long afterSeqId)
    {
        int lo = 0;
        int hi = blocks.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (blocks[mid].LastSeqId > afterSeqId)
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

    /// <summary>The index of the oldest block whose last timestamp is at or after <paramref name="fromMs"/>, or the count.</summary>
    private static int FirstBlockEndingAtOrAfter(ReadOnlySpan<SealedBlock> blocks, long fromMs)
    {
        int lo = 0;
        int hi = blocks.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (blocks[mid].LastTimestamp >= fromMs)
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

    private static long CeilingMilliseconds(DateTimeOffset value)
    {
        long ticks = value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        long ms = ticks / TimeSpan.TicksPerMillisecond;
        return ticks % TimeSpan.TicksPerMillisecond > 0 ? ms + 1 : ms;
    }
}
