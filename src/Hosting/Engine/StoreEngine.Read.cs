using BlockStore.Diagnostics;
using System.Collections.Concurrent;

namespace BlockStore.Engine;

/// <summary>
/// Readers: each takes one published <see cref="TimelineState{T}"/> of a timeline and walks it, open and frozen blocks from
/// memory, sealed blocks through the cache; blocks older than the timeline's sealed tail are found through the provider's
/// index, bounded by the tail so that the walk sees exactly the blocks sealed when the state was published. No reader takes
/// a lock the writer holds.
/// </summary>
internal sealed partial class StoreEngine
{
    /// <summary>Users whose checkpoint was read clamped to their timeline's end, so that is logged once per user.</summary>
    private readonly ConcurrentDictionary<string, byte> _clampedCheckpoints = new(StringComparer.Ordinal);

    public async ValueTask<IReadOnlyList<Message>> GetConvMessagesAsync(string convId, int limit, long beforeSeqId, CancellationToken cancellationToken)
    {
        using ReaderGate.Scope reading = _readers.Enter();
        if (await FindAsync(_convs, convId, cancellationToken).ConfigureAwait(false) is not { } timeline)
        {
            return [];
        }

        TimelineState<ConvEntry> state = timeline.State;
        ConvView view = ViewOf(convId);
        long upper = beforeSeqId == 0 ? long.MaxValue : beforeSeqId;
        var newestFirst = new List<Message>(Math.Min(limit, 1024));
        if (state.Open is { } open)
        {
            TakeNewest(open.Snapshot(), upper, limit, newestFirst, view);
        }

        for (int i = state.Frozen.Length - 1; i >= 0 && newestFirst.Count < limit; i--)
        {
            TakeNewest(state.Frozen[i].Snapshot(), upper, limit, newestFirst, view);
        }

        SealedTail tail = state.Sealed;
        for (int index = LastBlockStartingBelow(tail.Blocks, upper); index >= 0 && newestFirst.Count < limit; index--)
        {
            ConvEntry[] entries = await LoadAsync(timeline, tail.Blocks[index], cancellationToken).ConfigureAwait(false);
            TakeNewest(entries, upper, limit, newestFirst, view);
        }

        // Older blocks: brought into the tail with one lookup when few enough, else paged from the index, bounded by the tail
        // so that blocks sealed since the snapshot are not seen twice.
        if (!tail.Complete && newestFirst.Count < limit && Math.Min(upper, tail.OlderBound) > 1)
        {
            SealedBlock[] known = tail.Blocks;
            tail = (await ExtendAsync(timeline, state, cancellationToken).ConfigureAwait(false)).Sealed;
            int olderCount = tail.Blocks.Length - known.Length;
            for (int index = LastBlockStartingBelow(tail.Blocks.AsSpan(0, olderCount), upper); index >= 0 && newestFirst.Count < limit; index--)
            {
                ConvEntry[] entries = await LoadAsync(timeline, tail.Blocks[index], cancellationToken).ConfigureAwait(false);
                TakeNewest(entries, upper, limit, newestFirst, view);
            }
        }

        long bound = Math.Min(upper, tail.OlderBound);
        while (!tail.Complete && newestFirst.Count < limit && bound > 1)
        {
            int page = PageBlocks(limit - newestFirst.Count);
            IReadOnlyList<BlockInfo> older = await _session.Timelines.GetBlocksBeforeAsync(timeline.Key, bound, page, cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < older.Count && newestFirst.Count < limit; i++)
            {
                ConvEntry[] entries = await LoadAsync(timeline, SealedBlock.From(older[i]), cancellationToken).ConfigureAwait(false);
                TakeNewest(entries, upper, limit, newestFirst, view);
                bound = older[i].FirstSeqId;
            }

            if (older.Count < page)
            {
                break;
            }
        }

        newestFirst.Reverse();
        return newestFirst;
    }

    public async ValueTask<IReadOnlyList<Message>> GetConvMessagesByTimeAsync(string convId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        using ReaderGate.Scope reading = _readers.Enter();
        if (await FindAsync(_convs, convId, cancellationToken).ConfigureAwait(false) is not { } timeline)
        {
            return [];
        }

        // CreatedAt has whole milliseconds, so from <= t < to becomes fromMs <= t < toMs with both bounds rounded up.
        long fromMs = CeilingMilliseconds(from);
        long toMs = CeilingMilliseconds(to);
        TimelineState<ConvEntry> state = timeline.State;
        ConvView view = ViewOf(convId);
        SealedTail tail = state.Sealed;
        var result = new List<Message>(Math.Min(limit, 1024));

        // Blocks older than the tail end no later than the tail starts: they matter only if the window starts by then.
        if (!tail.Complete && (tail.Blocks.Length == 0 || fromMs <= tail.Blocks[0].FirstTimestamp))
        {
            state = await ExtendAsync(timeline, state, cancellationToken).ConfigureAwait(false);
            tail = state.Sealed;
        }

        if (!tail.Complete && (tail.Blocks.Length == 0 || fromMs <= tail.Blocks[0].FirstTimestamp))
        {
            long after = 0;
            long pageFrom = fromMs;
            while (result.Count < limit)
            {
                int page = PageBlocks(limit - result.Count);
                IReadOnlyList<BlockInfo> older = await _session.Timelines.GetBlocksByTimeAsync(
                    timeline.Key, pageFrom, toMs, after, tail.OlderBound, page, cancellationToken).ConfigureAwait(false);
                for (int i = 0; i < older.Count && result.Count < limit; i++)
                {
                    ConvEntry[] entries = await LoadAsync(timeline, SealedBlock.From(older[i]), cancellationToken).ConfigureAwait(false);
                    TakeInWindow(entries, fromMs, toMs, limit, result, view);
                    after = older[i].LastSeqId;
                    pageFrom = Math.Max(fromMs, older[i].LastTimestamp);
                }

                if (older.Count < page)
                {
                    break;
                }
            }
        }

        for (int index = FirstBlockEndingAtOrAfter(tail.Blocks, fromMs); index < tail.Blocks.Length && result.Count < limit; index++)
        {
            SealedBlock block = tail.Blocks[index];
            if (block.FirstTimestamp >= toMs)
            {
                return result;
            }

            ConvEntry[] entries = await LoadAsync(timeline, block, cancellationToken).ConfigureAwait(false);
            TakeInWindow(entries, fromMs, toMs, limit, result, view);
        }

        foreach (MemBlock<ConvEntry> frozen in state.Frozen)
        {
            TakeInWindow(frozen.Snapshot(), fromMs, toMs, limit, result, view);
        }

        if (state.Open is { } open)
        {
            TakeInWindow(open.Snapshot(), fromMs, toMs, limit, result, view);
        }

        return result;
    }

    public async ValueTask<IReadOnlyList<Message>> GetUserMessagesAsync(string userId, long afterSeqId, int limit, CancellationToken cancellationToken)
    {
        using ReaderGate.Scope reading = _readers.Enter();
        if (await FindAsync(_users, userId, cancellationToken).ConfigureAwait(false) is not { } timeline)
        {
            return [];
        }

        TimelineState<UserEntry> state = timeline.State;
        var references = new List<UserEntry>(Math.Min(limit, 1024));
        UserView view = new(_rules, userId);
        await foreach (UserEntry[] entries in SealedBlocksAfterAsync(timeline, state, afterSeqId, cancellationToken).ConfigureAwait(false))
        {
            TakeOldest(entries, afterSeqId, limit, references, view);
            if (references.Count >= limit)
            {
                break;
            }
        }

        foreach (MemBlock<UserEntry> frozen in state.Frozen)
        {
            TakeOldest(frozen.Snapshot(), afterSeqId, limit, references, view);
        }

        if (state.Open is { } open)
        {
            TakeOldest(open.Snapshot(), afterSeqId, limit, references, view);
        }

        return await ResolveAsync(references, cancellationToken).ConfigureAwait(false);
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

        long last = (await FindAsync(_users, userId, cancellationToken).ConfigureAwait(false))?.LastSeqId ?? 0;
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

    /// <summary>
    /// The sealed blocks of <paramref name="state"/> holding a SeqId above <paramref name="afterSeqId"/>, oldest first: those
    /// older than the tail brought into it (or paged from the index, bounded by the tail), then the tail's. The caller stops
    /// when it has enough.
    /// </summary>
    private async IAsyncEnumerable<T[]> SealedBlocksAfterAsync<T>(
        Timeline<T> timeline, TimelineState<T> state, long afterSeqId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        where T : struct, ITimelineEntry<T>
    {
        SealedTail tail = state.Sealed;
        if (!tail.Complete && afterSeqId < tail.OlderLastSeqId)
        {
            tail = (await ExtendAsync(timeline, state, cancellationToken).ConfigureAwait(false)).Sealed;
        }

        if (!tail.Complete && afterSeqId < tail.OlderLastSeqId)
        {
            long after = afterSeqId;
            while (true)
            {
                const int Page = 16;
                IReadOnlyList<BlockInfo> older = await _session.Timelines.GetBlocksAfterAsync(
                    timeline.Key, after, tail.OlderBound, Page, cancellationToken).ConfigureAwait(false);
                foreach (BlockInfo block in older)
                {
                    yield return await LoadAsync(timeline, SealedBlock.From(block), cancellationToken).ConfigureAwait(false);
                    after = block.LastSeqId;
                }

                if (older.Count < Page)
                {
                    break;
                }
            }
        }

        for (int index = FirstBlockEndingAfter(tail.Blocks, afterSeqId); index < tail.Blocks.Length; index++)
        {
            yield return await LoadAsync(timeline, tail.Blocks[index], cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>How many blocks to ask the index for when <paramref name="wanted"/> more entries are needed.</summary>
    private int PageBlocks(int wanted) => (int)Math.Clamp(((long)wanted / _options.TimelineMaxSize) + 1, 1, 64);

    /// <summary>Finds the conversation message a user timeline entry points at.</summary>
    private async ValueTask<Message> ResolveAsync(UserEntry reference, CancellationToken cancellationToken) =>
        (await ResolveAsync([reference], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// Finds the conversation messages user timeline entries (in SeqId order) point at, in the same order: each conversation is
    /// looked up once, and its blocks older than its sealed tail are found with one index lookup per page of blocks covering
    /// the SeqIds wanted, never one lookup per entry.
    /// </summary>
    private async ValueTask<Message[]> ResolveAsync(List<UserEntry> references, CancellationToken cancellationToken)
    {
        var messages = new Message[references.Count];
        var byConversation = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < references.Count; i++)
        {
            if (!byConversation.TryGetValue(references[i].ConvId, out List<int>? indices))
            {
                byConversation[references[i].ConvId] = indices = [];
            }

            indices.Add(i);
        }

        foreach (List<int> indices in byConversation.Values)
        {
            await ResolveInConversationAsync(references, indices, messages, cancellationToken).ConfigureAwait(false);
        }

        return messages;
    }

    /// <summary>Resolves the entries at <paramref name="indices"/> (in SeqId order), which all point into one conversation, into <paramref name="messages"/>.</summary>
    private async ValueTask ResolveInConversationAsync(List<UserEntry> references, List<int> indices, Message[] messages, CancellationToken cancellationToken)
    {
        if (await FindAsync(_convs, references[indices[0]].ConvId, cancellationToken).ConfigureAwait(false) is not { } conv)
        {
            throw Missing(references[indices[0]]);
        }

        TimelineState<ConvEntry> state = conv.State;
        SealedTail tail = state.Sealed;
        bool extended = false;
        var older = new List<int>();
        foreach (int i in indices)
        {
            long seqId = references[i].SeqId;
            if (FindUnsealed(state, seqId) is { } unsealed)
            {
                messages[i] = unsealed.Message;
                continue;
            }

            if (!extended && !tail.Complete && seqId < tail.OlderBound)
            {
                tail = (await ExtendAsync(conv, state, cancellationToken).ConfigureAwait(false)).Sealed;
                extended = true;
            }

            int index = LastBlockStartingBelow(tail.Blocks, seqId + 1);
            if (index >= 0)
            {
                ConvEntry[] entries = await LoadAsync(conv, tail.Blocks[index], cancellationToken).ConfigureAwait(false);
                messages[i] = Find(entries, seqId)?.Message ?? throw Missing(references[i]);
            }
            else if (!tail.Complete && seqId < tail.OlderBound)
            {
                older.Add(i);
            }
            else
            {
                throw Missing(references[i]);
            }
        }

        // Older than the tail: each lookup returns the blocks from the one holding the next SeqId wanted, oldest first.
        for (int next = 0; next < older.Count;)
        {
            const int Page = 64;
            IReadOnlyList<BlockInfo> blocks = await _session.Timelines.GetBlocksAfterAsync(
                conv.Key, references[older[next]].SeqId - 1, tail.OlderBound, Math.Min(older.Count - next, Page), cancellationToken).ConfigureAwait(false);
            if (blocks.Count == 0)
            {
                throw Missing(references[older[next]]);
            }

            foreach (BlockInfo block in blocks)
            {
                ConvEntry[] entries = await LoadAsync(conv, SealedBlock.From(block), cancellationToken).ConfigureAwait(false);
                for (; next < older.Count && references[older[next]].SeqId <= block.LastSeqId; next++)
                {
                    messages[older[next]] = Find(entries, references[older[next]].SeqId)?.Message ?? throw Missing(references[older[next]]);
                }
            }
        }

        ConvView view = ViewOf(conv.Id);
        foreach (int i in indices)
        {
            messages[i] = view.Current(messages[i]);
        }
    }

    /// <summary>Finds the entry with <paramref name="seqId"/> in a conversation timeline: open, frozen or sealed; null when it holds none.</summary>
    private async ValueTask<ConvEntry?> FindEntryAsync(Timeline<ConvEntry> conv, long seqId, CancellationToken cancellationToken)
    {
        TimelineState<ConvEntry> state = conv.State;
        if (FindUnsealed(state, seqId) is { } unsealed)
        {
            return unsealed;
        }

        SealedTail tail = state.Sealed;
        if (!tail.Complete && seqId < tail.OlderBound)
        {
            tail = (await ExtendAsync(conv, state, cancellationToken).ConfigureAwait(false)).Sealed;
        }

        int index = LastBlockStartingBelow(tail.Blocks, seqId + 1);
        SealedBlock? block = index >= 0 ? tail.Blocks[index] : null;
        if (block is null && !tail.Complete && seqId < tail.OlderBound)
        {
            IReadOnlyList<BlockInfo> older = await _session.Timelines.GetBlocksBeforeAsync(conv.Key, seqId + 1, 1, cancellationToken).ConfigureAwait(false);
            block = older.Count > 0 ? SealedBlock.From(older[0]) : null;
        }

        return block is { } found ? Find(await LoadAsync(conv, found, cancellationToken).ConfigureAwait(false), seqId) : null;
    }

    /// <summary>The entry with <paramref name="seqId"/> in the open or frozen blocks of <paramref name="state"/>, or null.</summary>
    private static ConvEntry? FindUnsealed(TimelineState<ConvEntry> state, long seqId)
    {
        if (state.Open is { Count: > 0 } open && open.First.SeqId <= seqId && Find(open.Snapshot(), seqId) is { } fromOpen)
        {
            return fromOpen;
        }

        foreach (MemBlock<ConvEntry> frozen in state.Frozen)
        {
            if (Find(frozen.Snapshot(), seqId) is { } fromFrozen)
            {
                return fromFrozen;
            }
        }

        return null;
    }

    private static BlockStoreException Missing(UserEntry reference) =>
        new($"Message {reference.SeqId} of conversation '{reference.ConvId}' is referenced by a user timeline but missing.");

    /// <summary>Returns a sealed block's entries from the cache, or reads, verifies and caches them.</summary>
    private async ValueTask<T[]> LoadAsync<T>(Timeline<T> timeline, SealedBlock block, CancellationToken cancellationToken)
        where T : struct, ITimelineEntry<T>
    {
        Int128 key = BlockCache.KeyOf(_cacheOwner, block.Location);
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

        _cache.Add(key, entries, Timeline<T>.EstimateCost(entries, block.Location.Size));
        return entries;
    }

    private static ConvEntry? Find(ReadOnlySpan<ConvEntry> entries, long seqId)
    {
        int lo = 0;
        int hi = entries.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            long seq = entries[mid].SeqId;
            if (seq == seqId)
            {
                return entries[mid];
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

    /// <summary>Adds the newest messages (not events) below <paramref name="upper"/>, in their current state, until there are <paramref name="limit"/>.</summary>
    private static void TakeNewest(ReadOnlySpan<ConvEntry> entries, long upper, int limit, List<Message> newestFirst, in ConvView view)
    {
        for (int i = entries.Length - 1; i >= 0 && newestFirst.Count < limit; i--)
        {
            if (entries[i].SeqId < upper && entries[i].Message.Kind == MessageKind.Message && !view.Hidden(entries[i]))
            {
                newestFirst.Add(view.Current(entries[i].Message));
            }
        }
    }

    private static void TakeOldest(ReadOnlySpan<UserEntry> entries, long afterSeqId, int limit, List<UserEntry> oldestFirst, in UserView view)
    {
        for (int i = 0; i < entries.Length && oldestFirst.Count < limit; i++)
        {
            if (entries[i].SeqId > afterSeqId && !view.Hidden(entries[i]))
            {
                oldestFirst.Add(entries[i]);
            }
        }
    }

    /// <summary>Adds the messages (not events) of the time window, in their current state, until there are <paramref name="limit"/>.</summary>
    private static void TakeInWindow(ReadOnlySpan<ConvEntry> entries, long fromMs, long toMs, int limit, List<Message> result, in ConvView view)
    {
        for (int i = 0; i < entries.Length && result.Count < limit; i++)
        {
            long ts = entries[i].Timestamp;
            if (ts >= toMs)
            {
                return;
            }

            if (ts >= fromMs && entries[i].Message.Kind == MessageKind.Message && !view.Hidden(entries[i]))
            {
                result.Add(view.Current(entries[i].Message));
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
