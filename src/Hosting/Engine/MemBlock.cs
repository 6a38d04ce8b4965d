namespace BlockStore.Engine;

/// <summary>The non-generic part of an unsealed block: what sealing and journal trimming need to know.</summary>
internal abstract class MemBlock(TimelineBase owner, long firstJournalId, long openedAtTicks, int overheadBytes)
{
    public TimelineBase Owner { get; } = owner;

    /// <summary>The oldest journal record holding one of this block's entries.</summary>
    public long FirstJournalId { get; } = firstJournalId;

    /// <summary>When the block received its first entry (<see cref="Environment.TickCount64"/>).</summary>
    public long OpenedAtTicks { get; } = openedAtTicks;

    /// <summary>What an open block costs in memory beyond its encoded bytes (objects, list node, spare array slots), for the budget.</summary>
    public const int MemoryOverhead = 192;

    /// <summary>The block's encoded size so far, header and trailer included.</summary>
    public int Bytes { get; protected set; } = overheadBytes;

    /// <summary>The block's weight against <see cref="BlockStoreOptions.OpenBlocksMaxBytes"/>.</summary>
    public int MemoryBytes => Bytes + MemoryOverhead;

    /// <summary>Where a seal whose metadata commit then failed wrote this block; valid while <see cref="WrittenCount"/> equals <see cref="Count"/>.</summary>
    public StoreIndex WrittenAt { get; set; }

    /// <summary>How many entries the block held when written to <see cref="WrittenAt"/>; 0 when never written.</summary>
    public int WrittenCount { get; set; }

    /// <summary>This block's place in the engine's list of unsealed blocks (oldest first).</summary>
    public LinkedListNode<MemBlock>? Node { get; set; }

    /// <summary>The entries readers see.</summary>
    public abstract int Count { get; }

    /// <summary><see cref="Bytes"/> as of the last publication, restored when the staged entries are dropped.</summary>
    private int _publishedBytes = overheadBytes;

    /// <summary>Writer side: makes the entries staged since the last publication visible to readers.</summary>
    public void Publish()
    {
        PublishStaged();
        _publishedBytes = Bytes;
    }

    /// <summary>Writer side: drops the entries staged since the last publication, as if they were never added.</summary>
    public void Unstage()
    {
        DropStaged();
        Bytes = _publishedBytes;
    }

    protected abstract void PublishStaged();

    protected abstract void DropStaged();
}

/// <summary>
/// An unsealed block of one timeline. Only the writer appends, in two steps: it stages entries (past the count readers see),
/// then publishes them once their journal record is durable, or drops them when it is not. Readers see a consistent prefix
/// because entries are written before the count is published, and a grown array is published before the count can pass the
/// old length.
/// </summary>
internal sealed class MemBlock<T>(TimelineBase owner, long firstJournalId, long openedAtTicks, int overheadBytes, int maxEntries)
    : MemBlock(owner, firstJournalId, openedAtTicks, overheadBytes)
    where T : struct, ITimelineEntry
{
    // Starts small (most user timelines hold one or two entries), grows fourfold, and never past the block's entry limit.
    private T[] _items = new T[Math.Min(2, maxEntries)];
    private int _count;

    /// <summary>The entries the writer has added, published or not; only the writer reads it.</summary>
    private int _staged;

    public override int Count => Volatile.Read(ref _count);

    /// <summary>Writer side: the entries added, published or only staged.</summary>
    public int StagedCount => _staged;

    /// <summary>Writer side: the newest entry added, published or only staged.</summary>
    public T StagedLast => _items[_staged - 1];

    public T First => _items[0];

    public T Last => Volatile.Read(ref _items)[Count - 1];

    /// <summary>A stable view of the entries published so far.</summary>
    public ReadOnlySpan<T> Snapshot()
    {
        int count = Volatile.Read(ref _count);
        return Volatile.Read(ref _items).AsSpan(0, count);
    }

    /// <summary>
    /// The entries published so far as an array of their count: the block's own array when it is exactly full, since a full array is
    /// never written again (a further entry goes to a grown copy), else a copy.
    /// </summary>
    public T[] ToArray()
    {
        int count = Volatile.Read(ref _count);
        T[] items = Volatile.Read(ref _items);
        return count == items.Length ? items : items.AsSpan(0, count).ToArray();
    }

    /// <summary>The most bytes <paramref name="entry"/> would add to this block's encoding; its shared part counts unless the entry before shares it.</summary>
    public int SizeOf(in T entry)
    {
        int count = _staged;
        if (count == 0)
        {
            return entry.EncodedSize(entry.SeqId, entry.Timestamp) + entry.SharedBytes;
        }

        ref readonly T previous = ref _items[count - 1];
        int shared = entry.Shared is not null && ReferenceEquals(entry.Shared, previous.Shared) ? 0 : entry.SharedBytes;
        return entry.EncodedSize(previous.SeqId, previous.Timestamp) + shared;
    }

    /// <summary>Stages an entry (readers see it once published) and returns the bytes it added to the block's charged size.</summary>
    public int Add(in T entry)
    {
        int size = SizeOf(entry);
        int count = _staged;
        if (count == _items.Length)
        {
            var grown = new T[(int)Math.Min((long)count * 4, maxEntries)];
            Array.Copy(_items, grown, count);
            Volatile.Write(ref _items, grown);
        }

        _items[count] = entry;
        Bytes += size;
        _staged = count + 1;
        return size;
    }

    protected override void PublishStaged() => Volatile.Write(ref _count, _staged);

    protected override void DropStaged()
    {
        Array.Clear(_items, _count, _staged - _count);
        _staged = _count;
    }
}
