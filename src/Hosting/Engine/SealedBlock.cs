namespace BlockStore.Engine;

/// <summary>The engine's in-memory record of one sealed block: ranges, count and location.</summary>
internal readonly record struct SealedBlock(long FirstSeqId, long LastSeqId, long FirstTimestamp, long LastTimestamp, int Count, StoreIndex Location)
{
    public static SealedBlock From(BlockInfo info) =>
        new(info.FirstSeqId, info.LastSeqId, info.FirstTimestamp, info.LastTimestamp, info.Count, info.Location);
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
            var grown = new SealedBlock[Math.Max(4, _count * 2)];
            Array.Copy(_items, grown, _count);
            Volatile.Write(ref _items, grown);
        }

        _items[_count] = block;
        _count++;
    }

    /// <summary>The first <paramref name="count"/> blocks; valid for any count published before this call.</summary>
    public ReadOnlySpan<SealedBlock> Snapshot(int count) => Volatile.Read(ref _items).AsSpan(0, count);
}
