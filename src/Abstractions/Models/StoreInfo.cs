namespace BlockStore;

/// <summary>One fixed-capacity store: its id, capacity and the bytes used so far.</summary>
/// <param name="StoreId">The store id.</param>
/// <param name="Capacity">The most bytes the store may hold.</param>
/// <param name="UsedBytes">The bytes used: the header, the blocks in use, and blocks written but never referenced (blocks freed by compaction are not counted).</param>
public sealed record StoreInfo(long StoreId, long Capacity, long UsedBytes);
