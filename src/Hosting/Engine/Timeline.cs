namespace BlockStore.Engine;

/// <summary>The kind-independent part of a timeline: identity, the figures readers may see at any time, and its place in the working set.</summary>
internal abstract class TimelineBase(TimelineKind kind, string id, int idBytes, long lastSeqId, long messageCount)
{
    /// <summary>What a timeline costs in the working set besides its id and sealed tail: objects, dictionary and queue slots.</summary>
    public const int BaseCost = 256;

    private long _lastSeqId = lastSeqId;
    private long _messageCount = messageCount;
    private volatile bool _referenced = true;

    public TimelineKind Kind { get; } = kind;

    public string Id { get; } = id;

    /// <summary>The id's UTF-8 length, which every block of this timeline spends in its header.</summary>
    public int IdBytes { get; } = idBytes;

    public long LastSeqId => Volatile.Read(ref _lastSeqId);

    public long MessageCount => Volatile.Read(ref _messageCount);

    public abstract int SealedCount { get; }

    /// <summary>The largest SeqId already in a sealed block.</summary>
    public abstract long LastSealedSeqId { get; }

    /// <summary>The CreatedAt (Unix milliseconds) of the newest entry, or 0 for an empty timeline.</summary>
    public abstract long LastTimestamp { get; }

    /// <summary>True while the timeline holds a full block waiting to be sealed.</summary>
    public abstract bool HasFrozen { get; }

    /// <summary>True while the timeline holds entries not sealed yet: it must stay in the working set until they are.</summary>
    public abstract bool HasUnsealed { get; }

    /// <summary>The charge of an evicted timeline: it is charged nothing more.</summary>
    private const long Evicted = long.MinValue;

    private long _cost;

    /// <summary>What the timeline is charged against <see cref="BlockStoreOptions.TimelineCacheBytes"/> now.</summary>
    public long Cost => Math.Max(0, Volatile.Read(ref _cost));

    /// <summary>What the timeline costs now in the working set.</summary>
    public abstract long EstimateCost();

    /// <summary>Charges the timeline what it costs now; returns the change to add to the working set's bytes (0 once evicted).</summary>
    /// <remarks>Called by the writer and by readers that extend the sealed tail, concurrently: each change is counted once.</remarks>
    public long Recharge()
    {
        while (true)
        {
            long old = Volatile.Read(ref _cost);
            if (old == Evicted)
            {
                return 0;
            }

            long cost = EstimateCost();
            if (Interlocked.CompareExchange(ref _cost, cost, old) == old)
            {
                return cost - old;
            }
        }
    }

    /// <summary>Stops charging the timeline (it left the working set); returns what it was charged.</summary>
    public long Discharge() => Math.Max(0, Interlocked.Exchange(ref _cost, Evicted));

    /// <summary>Marks the timeline as used, so the next eviction sweep passes it over once.</summary>
    public void Touch()
    {
        if (!_referenced)
        {
            _referenced = true;
        }
    }

    /// <summary>Clears the used mark and returns whether it was set.</summary>
    public bool ClearReferenced()
    {
        bool was = _referenced;
        _referenced = false;
        return was;
    }

    public TimelineInfo ToInfo() => new(Kind, Id, LastSeqId, MessageCount, SealedCount);

    /// <summary>Takes the blocks to seal, not encoded yet: every frozen block, and the open one too when <paramref name="includeOpen"/>.</summary>
    public abstract void PrepareSeal(bool includeOpen, List<SealJob> jobs);

    /// <summary>Encodes the entries of one block of this timeline (a <c>T[]</c> of <see cref="PrepareSeal"/>).</summary>
    public abstract byte[] EncodeBlock(object entries, BlockEncoding encoding);

    /// <summary>Publishes the blocks of <see cref="PrepareSeal"/> as sealed at their new locations (in the same order).</summary>
    public abstract void CompleteSeal(ReadOnlySpan<SealJob> jobs, BlockCache cache, int cacheOwner);

    /// <summary>Sets the entry count after a compaction removed some: the sealed ones the index holds plus those not sealed.</summary>
    protected void Recounted(long count) => Volatile.Write(ref _messageCount, count);

    /// <summary>Counts <paramref name="entries"/> published entries, the newest <paramref name="seqId"/>.</summary>
    protected void Counted(long seqId, int entries)
    {
        Volatile.Write(ref _messageCount, _messageCount + entries);
        Volatile.Write(ref _lastSeqId, seqId);
    }

    /// <summary>Writer side: true while the timeline holds entries staged in this turn and not yet published or dropped.</summary>
    public abstract bool Staged { get; }

    /// <summary>Writer side: makes this turn's staged entries, and the blocks they opened or filled, visible to readers; returns how many entries.</summary>
    public abstract int Publish();

    /// <summary>Writer side: drops this turn's staged entries, and the blocks they opened or filled, as if never added.</summary>
    public abstract void Unstage();
}

/// <summary>One block on its way to a store: the block, its timeline, its bytes, and (after the write) its location.</summary>
internal sealed class SealJob(TimelineBase timeline, MemBlock block, bool wasFrozen, object entries, SealedBlock range)
{
    public TimelineBase Timeline { get; } = timeline;

    public MemBlock Block { get; } = block;

    /// <summary>True when the block was full (frozen); false when an open block is sealed early.</summary>
    public bool WasFrozen { get; } = wasFrozen;

    /// <summary>The entries as a decoded block (T[]), put in the cache once sealed.</summary>
    public object Entries { get; } = entries;

    /// <summary>The block's bytes, once <see cref="Encode"/> ran.</summary>
    public byte[] Encoded { get; private set; } = [];

    /// <summary>Ranges and count; the location is filled in after the write.</summary>
    public SealedBlock Range { get; set; } = range;

    /// <summary>Where the block was written; set after the write.</summary>
    public StoreIndex Location { get; set; }

    /// <summary>Encodes the block; safe to run for several jobs at once, as it reads only the job's own entries.</summary>
    public void Encode(BlockEncoding encoding) => Encoded = Timeline.EncodeBlock(Entries, encoding);

    public BlockInfo ToBlockInfo() =>
        new(Timeline.Kind, Timeline.Id, Range.FirstSeqId, Range.LastSeqId, Range.FirstTimestamp, Range.LastTimestamp, Range.Count, Location);
}

/// <summary>An immutable view of a timeline's blocks: the sealed part, full blocks not yet sealed, and the open block.</summary>
internal sealed class TimelineState<T>(SealedTail sealedTail, MemBlock<T>[] frozen, MemBlock<T>? open)
    where T : struct, ITimelineEntry<T>
{
    /// <summary>The sealed blocks: their count, and the newest few.</summary>
    public SealedTail Sealed { get; } = sealedTail;

    public int SealedCount => Sealed.Count;

    /// <summary>Full blocks waiting to be sealed, oldest first; readable from memory meanwhile.</summary>
    public MemBlock<T>[] Frozen { get; } = frozen;

    public MemBlock<T>? Open { get; } = open;
}

/// <summary>A timeline of entries of type <typeparamref name="T"/>; the writer mutates it, readers take <see cref="State"/> snapshots.</summary>
/// <remarks>Created from the provider's metadata (null for a timeline the provider does not know yet).</remarks>
internal sealed class Timeline<T>(string id, int idBytes, Providers.TimelineMetadata? metadata)
    : TimelineBase(T.Kind, id, idBytes, metadata?.LastSealedSeqId ?? 0, metadata?.SealedEntries ?? 0)
    where T : struct, ITimelineEntry<T>
{
    private TimelineState<T> _state = new(SealedTail.From(metadata), [], null);

    /// <summary>The writer's state while entries are staged (null when none are): readers keep seeing <see cref="_state"/> until published.</summary>
    private TimelineState<T>? _pending;

    public Providers.TimelineKey Key => new(T.Kind, Id);

    public TimelineState<T> State => Volatile.Read(ref _state);

    /// <summary>Writer side: the state with this turn's staged entries, or the published one when none are staged.</summary>
    public TimelineState<T> WriterState => _pending ?? _state;

    public override bool Staged => _pending is not null;

    public override int SealedCount => State.SealedCount;

    public override bool HasFrozen => State.Frozen.Length > 0;

    public override bool HasUnsealed => State is { Open: not null } or { Frozen.Length: > 0 };

    public override long LastSealedSeqId => State.Sealed.LastSeqId;

    public override long LastTimestamp
    {
        get
        {
            TimelineState<T> state = State;
            return state.Open is { } open ? open.Last.Timestamp
                : state.Frozen.Length > 0 ? state.Frozen[^1].Last.Timestamp
                : state.Sealed.Blocks.Length > 0 ? state.Sealed.Blocks[^1].LastTimestamp
                : 0;
        }
    }

    public override long EstimateCost() => BaseCost + (2L * Id.Length) + (State.Sealed.Blocks.Length * 56L);

    /// <summary>
    /// Reader side: publishes <paramref name="seen"/> with every older sealed block (<paramref name="older"/>, oldest first) in
    /// its tail, unless the writer published another state meanwhile; the writer's next state then simply lacks them.
    /// </summary>
    public TimelineState<T> TryExtend(TimelineState<T> seen, SealedBlock[] older)
    {
        var extended = new TimelineState<T>(seen.Sealed.Prepend(older), seen.Frozen, seen.Open);
        TimelineState<T> current = Interlocked.CompareExchange(ref _state, extended, seen);
        return ReferenceEquals(current, seen) ? extended : seen;
    }

    /// <summary>Writer side, after a compaction replaced sealed blocks: publishes the sealed part as the index now holds it, keeping the unsealed blocks.</summary>
    public void Resealed(Providers.TimelineMetadata metadata)
    {
        TimelineState<T> state = State;
        long unsealed = state.Open?.Count ?? 0;
        foreach (MemBlock<T> frozen in state.Frozen)
        {
            unsealed += frozen.Count;
        }

        Volatile.Write(ref _state, new TimelineState<T>(SealedTail.From(metadata), state.Frozen, state.Open));
        Recounted(metadata.SealedEntries + unsealed);
    }

    /// <summary>
    /// Stages an entry, published with the turn's others by <see cref="Publish"/>; the open block is frozen (to be sealed) once
    /// it holds <paramref name="maxEntries"/> entries, or before the entry when the entry would take it past
    /// <paramref name="maxBlockBytes"/>. Returns the block opened, if any, how many blocks were frozen, and the bytes the entry
    /// added to its block.
    /// </summary>
    public MemBlock<T>? Append(in T entry, long journalId, int maxEntries, int maxBlockBytes, long nowTicks, out int frozen, out int entryBytes)
    {
        TimelineState<T> state = WriterState;
        MemBlock<T>? open = state.Open;
        MemBlock<T>? opened = null;
        frozen = 0;
        if (open is not null && open.Bytes + open.SizeOf(entry) > maxBlockBytes)
        {
            state = new TimelineState<T>(state.Sealed, [.. state.Frozen, open], null);
            open = null;
            frozen++;
        }

        if (open is null)
        {
            open = opened = new MemBlock<T>(this, journalId, nowTicks, BlockCodec.Overhead(IdBytes), maxEntries);
            entryBytes = open.Add(entry);
            state = new TimelineState<T>(state.Sealed, state.Frozen, open);
        }
        else
        {
            entryBytes = open.Add(entry);
        }

        if (open.StagedCount >= maxEntries)
        {
            state = new TimelineState<T>(state.Sealed, [.. state.Frozen, open], null);
            frozen++;
        }

        _pending = state;
        return opened;
    }

    public override int Publish()
    {
        if (_pending is not { } pending)
        {
            return 0;
        }

        // Counts first, then the state: a block the new state shows for the first time is complete when it appears. When the
        // blocks did not change, the published state stays, with a longer sealed tail a reader may have given it meanwhile.
        int added = 0;
        foreach (MemBlock<T> block in pending.Frozen)
        {
            added += block.StagedCount - block.Count;
            block.Publish();
        }

        MemBlock<T> newest = pending.Open ?? pending.Frozen[^1];
        if (pending.Open is { } open)
        {
            added += open.StagedCount - open.Count;
            open.Publish();
        }

        TimelineState<T> published = _state;
        if (!ReferenceEquals(pending.Open, published.Open) || !ReferenceEquals(pending.Frozen, published.Frozen))
        {
            Volatile.Write(ref _state, pending);
        }

        Counted(newest.Last.SeqId, added);
        _pending = null;
        return added;
    }

    public override void Unstage()
    {
        if (_pending is not { } pending)
        {
            return;
        }

        foreach (MemBlock<T> block in pending.Frozen)
        {
            block.Unstage();
        }

        pending.Open?.Unstage();
        _pending = null;
    }

    public override void PrepareSeal(bool includeOpen, List<SealJob> jobs)
    {
        TimelineState<T> state = State;
        foreach (MemBlock<T> block in state.Frozen)
        {
            jobs.Add(Prepare(block, wasFrozen: true));
        }

        if (includeOpen && state.Open is { Count: > 0 } open)
        {
            jobs.Add(Prepare(open, wasFrozen: false));
        }
    }

    public override void CompleteSeal(ReadOnlySpan<SealJob> jobs, BlockCache cache, int cacheOwner)
    {
        TimelineState<T> state = State;
        MemBlock<T>? open = state.Open;
        var added = new SealedBlock[jobs.Length];
        for (int i = 0; i < jobs.Length; i++)
        {
            SealJob job = jobs[i];
            cache.Add(BlockCache.KeyOf(cacheOwner, job.Location), job.Entries, EstimateCost((T[])job.Entries, job.Location.Size));
            added[i] = job.Range;
            if (ReferenceEquals(job.Block, open))
            {
                open = null;
            }
        }

        Volatile.Write(ref _state, new TimelineState<T>(state.Sealed.With(added), Unsealed(state.Frozen, jobs), open));
    }

    /// <summary>
    /// The frozen blocks <paramref name="jobs"/> did not seal: those frozen after a seal encoding off the writer took its blocks.
    /// A seal takes every frozen block of a timeline it takes, so the sealed ones are the oldest.
    /// </summary>
    private static MemBlock<T>[] Unsealed(MemBlock<T>[] frozen, ReadOnlySpan<SealJob> jobs)
    {
        int sealedCount = 0;
        while (sealedCount < frozen.Length && Contains(jobs, frozen[sealedCount]))
        {
            sealedCount++;
        }

        return sealedCount == frozen.Length ? [] : frozen[sealedCount..];

        static bool Contains(ReadOnlySpan<SealJob> jobs, MemBlock block)
        {
            foreach (SealJob job in jobs)
            {
                if (ReferenceEquals(job.Block, block))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>The cache cost of a decoded block: its stored bytes or the bodies it holds (whichever is larger, as a compressed block decodes to more), plus an allowance per entry object.</summary>
    public static long EstimateCost(T[] entries, int size)
    {
        long bodies = 0;
        foreach (ref readonly T entry in entries.AsSpan())
        {
            bodies += entry.MemorySize;
        }

        return Math.Max(size, bodies) + (entries.Length * 64L);
    }

    public override byte[] EncodeBlock(object entries, BlockEncoding encoding) => T.Encode(Id, (T[])entries, encoding);

    private SealJob Prepare(MemBlock<T> block, bool wasFrozen)
    {
        T[] entries = block.ToArray();
        var range = new SealedBlock(entries[0].SeqId, entries[^1].SeqId, entries[0].Timestamp, entries[^1].Timestamp, entries.Length, 0, 0, 0);
        return new SealJob(this, block, wasFrozen, entries, range);
    }
}
