namespace BlockStore.Providers;

/// <summary>Stores sealed blocks as opaque bytes in fixed-capacity stores, and reads them back by their <see cref="StoreIndex"/>.</summary>
/// <remarks>
/// Blocks are immutable once written. A store never holds more than <see cref="BlockStoreOptions.MaxCapacity"/> bytes,
/// its own header (at most <see cref="BlockStoreLimits.StoreHeaderReserveBytes"/>) included; a block that does not fit in the
/// current store's remaining space starts a new store, and no block spans two stores. Store ids start at 1 and increase.
/// The provider never decodes blocks; the engine checks their checksums.
/// </remarks>
public interface IBlockStorage
{
    /// <summary>The largest block that fits in an empty store: <see cref="BlockStoreOptions.MaxCapacity"/> less the store header.</summary>
    long MaxBlockSize { get; }

    /// <summary>Appends blocks, in order, and returns where each one landed.</summary>
    /// <remarks>
    /// The engine records the returned locations through <see cref="ITimelineRepository.CommitBlocksAsync"/> only afterwards, so a
    /// crash in between leaves unreferenced bytes (counted as used), never a reference to missing bytes. The bytes must be durable,
    /// as <see cref="BlockStoreOptions.Durability"/> requires, before that commit is: a provider flushes them here, or (when blocks
    /// and metadata share one ordered log, as SQLite's WAL) lets the commit's flush cover them. On failure nothing returned may be
    /// assumed written.
    /// </remarks>
    /// <param name="blocks">The encoded blocks, each at most <see cref="MaxBlockSize"/> bytes.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>One location per block, in the same order.</returns>
    ValueTask<IReadOnlyList<StoreIndex>> WriteBlocksAsync(IReadOnlyList<ReadOnlyMemory<byte>> blocks, CancellationToken cancellationToken = default);

    /// <summary>Reads the bytes of the block at <paramref name="location"/> into <paramref name="destination"/>.</summary>
    /// <remarks>Called concurrently from many readers and alongside the writer. Missing or short data throws <see cref="CorruptBlockException"/>.</remarks>
    /// <param name="location">A location returned earlier by <see cref="WriteBlocksAsync"/>.</param>
    /// <param name="destination">A buffer of exactly <see cref="StoreIndex.Size"/> bytes.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>A task that completes when <paramref name="destination"/> is filled.</returns>
    ValueTask ReadBlockAsync(StoreIndex location, Memory<byte> destination, CancellationToken cancellationToken = default);

    /// <summary>Lists the stores with their capacity and used bytes, for capacity monitoring.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The stores, by id.</returns>
    ValueTask<IReadOnlyList<StoreInfo>> GetStoresAsync(CancellationToken cancellationToken = default);
    /// <summary>
    /// Frees blocks that no index record references any more (compaction replaced or erasure dropped them, and no reader can
    /// still be reading them): when this returns, their bytes are in no file of the data set (overwritten, or their store's
    /// file deleted) and their space is reusable or given back; <see cref="GetStoresAsync"/> no longer counts them.
    /// </summary>
    /// <remarks>
    /// Called from the writer. A store all of whose blocks are freed, other than the one new blocks go to, is deleted. Freeing a
    /// block twice is harmless. Durable as <see cref="BlockStoreOptions.Durability"/> requires. Default: not supported.
    /// </remarks>
    /// <param name="blocks">The blocks to free.</param>
    /// <param name="cancellationToken">Cancels the work; some of the blocks may be freed already.</param>
    /// <returns>A task that completes when the blocks are freed.</returns>
    ValueTask ReleaseBlocksAsync(IReadOnlyList<StoreIndex> blocks, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("This storage provider cannot free blocks, so its data sets cannot be compacted.");

    /// <summary>
    /// Names the stores whose remaining blocks a compaction should move elsewhere, so that, freed entirely, they can be deleted:
    /// stores mostly freed, never the one new blocks are appended to. Called from the writer. Default: none (a provider that gives
    /// freed space back in place).
    /// </summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The store ids.</returns>
    ValueTask<IReadOnlyList<long>> GetStoresToEmptyAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<IReadOnlyList<long>>([]);
}
