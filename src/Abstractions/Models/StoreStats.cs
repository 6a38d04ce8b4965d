namespace BlockStore;

/// <summary>Capacity and content figures of a data set, as returned by <see cref="IMessageStore.GetStatsAsync"/>.</summary>
/// <param name="Stores">How many stores exist.</param>
/// <param name="CapacityBytes">The total capacity of those stores (stores × MaxCapacity).</param>
/// <param name="UsedBytes">The bytes used in those stores, headers and unreferenced blocks included.</param>
/// <param name="Blocks">How many sealed blocks the timelines reference.</param>
/// <param name="OpenBlocks">How many blocks are open: journaled, not full, not yet sealed (full ones are counted in <see cref="FullBlocks"/>).</param>
/// <param name="Messages">How many messages the conversation timelines hold.</param>
/// <param name="ConvTimelines">How many conversation timelines exist.</param>
/// <param name="UserTimelines">How many user timelines exist.</param>
/// <param name="LastSeqId">The newest SeqId assigned.</param>
/// <param name="JournalBytes">The bytes of journal not yet covered by sealed blocks.</param>
/// <param name="StoreDetails">Per-store figures.</param>
public sealed record StoreStats(
    int Stores,
    long CapacityBytes,
    long UsedBytes,
    long Blocks,
    long OpenBlocks,
    long Messages,
    long ConvTimelines,
    long UserTimelines,
    long LastSeqId,
    long JournalBytes,
    IReadOnlyList<StoreInfo> StoreDetails)
{
    /// <summary>How many full blocks are waiting to be written to a store (journaled and readable, not yet sealed).</summary>
    public long FullBlocks { get; init; }
}
