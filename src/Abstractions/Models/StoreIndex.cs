namespace BlockStore;

/// <summary>Where a sealed block lives: the store that holds it, its byte offset in that store, and its size.</summary>
/// <param name="StoreId">The id of the fixed-capacity store holding the block (1, 2, ...).</param>
/// <param name="Offset">The byte offset of the block inside the store.</param>
/// <param name="Size">The encoded size of the block in bytes.</param>
/// <param name="CreatedAt">When the block was written (UTC).</param>
public readonly record struct StoreIndex(long StoreId, long Offset, int Size, DateTimeOffset CreatedAt);
