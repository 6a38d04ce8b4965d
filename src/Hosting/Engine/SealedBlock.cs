namespace BlockStore.Engine;

/// <summary>The engine's in-memory record of one sealed block: ranges, count and location (56 bytes; the write time stays in the metadata).</summary>
internal readonly record struct SealedBlock(long FirstSeqId, long LastSeqId, long FirstTimestamp, long LastTimestamp, int Count, long StoreId, long Offset, int Size)
{
    public StoreIndex Location => new(StoreId, Offset, Size, default);

    public static SealedBlock From(BlockInfo info) =>
        new(info.FirstSeqId, info.LastSeqId, info.FirstTimestamp, info.LastTimestamp, info.Count, info.Location.StoreId, info.Location.Offset, info.Location.Size);
}

/// <summary>The sealed blocks of a timeline, oldest first. Only the writer appends; readers use a count taken from a published state.</summary>
internal sealed class SealedBlockList
{
    private SealedBlock[] _items = [];
    private int _count;

    public int Count => _count;

    public void Add(in SealedBlock block)
    {
        if (_count == _items.Length)
        {
            // Most timelines hold one or two blocks: start exact, then double.
            var grown = new SealedBlock[Math.Max(1, _count * 2)];
            Array.Copy(_items, grown, _count);
            Volatile.Write(ref _items, grown);
        }

        _items[_count] = block;
        _count++;
    }

    /// <summary>The first <paramref name="count"/> blocks; valid for any count published before this call.</summary>
    public ReadOnlySpan<SealedBlock> Snapshot(int count) => Volatile.Read(ref _items).AsSpan(0, count);
}
