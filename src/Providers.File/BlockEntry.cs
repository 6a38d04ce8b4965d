namespace BlockStore.Providers.File;

/// <summary>One sealed block of a timeline as kept in memory: the <see cref="BlockInfo"/> fields less the timeline, which is the key.</summary>
internal readonly record struct BlockEntry(long FirstSeqId, long LastSeqId, long FirstTimestamp, long LastTimestamp, int Count, StoreIndex Location)
{
    public static BlockEntry From(BlockInfo block) =>
        new(block.FirstSeqId, block.LastSeqId, block.FirstTimestamp, block.LastTimestamp, block.Count, block.Location);

    public BlockInfo ToInfo(TimelineKey key) =>
        new(key.Kind, key.Id, FirstSeqId, LastSeqId, FirstTimestamp, LastTimestamp, Count, Location);
}
