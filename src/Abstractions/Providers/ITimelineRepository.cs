namespace BlockStore.Providers;

/// <summary>Keeps timeline metadata (the StoreIndex of every sealed block) and the journal of open blocks.</summary>
/// <remarks>
/// The journal is append-only and sequential: one record per group commit, with ids the engine assigns in increasing order.
/// Its payload is opaque to the provider (the engine frames and checksums it). Sealing records the new blocks and drops the
/// journal prefix they cover in one atomic step, so after a crash either both happened or neither did.
/// </remarks>
public interface ITimelineRepository
{
    /// <summary>Streams every registered timeline, including those without sealed blocks.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The kind and id of each timeline, in any order.</returns>
    IAsyncEnumerable<TimelineKey> LoadTimelinesAsync(CancellationToken cancellationToken = default);

    /// <summary>Streams the metadata of every sealed block, ordered by timeline and, within a timeline, by <see cref="BlockInfo.FirstSeqId"/>.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The blocks.</returns>
    IAsyncEnumerable<BlockInfo> LoadBlocksAsync(CancellationToken cancellationToken = default);

    /// <summary>Streams the journal's surviving records in increasing id order; a torn or damaged tail is dropped, not returned.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The records.</returns>
    IAsyncEnumerable<JournalRecord> ReadJournalAsync(CancellationToken cancellationToken = default);

    /// <summary>Reads the journal's trim point as last committed by <see cref="CommitBlocksAsync"/>, or 0 when the provider keeps none.</summary>
    /// <remarks>Ids below it may have been used before, so the engine restores its SeqIds at or above it.</remarks>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The smallest journal record id still needed.</returns>
    ValueTask<long> LoadJournalKeepFromAsync(CancellationToken cancellationToken = default);

    /// <summary>Appends one journal record; when this returns it is durable as <see cref="BlockStoreOptions.Durability"/> requires.</summary>
    /// <remarks>On failure the record must not be returned by a later <see cref="ReadJournalAsync"/> unless it was fully written.</remarks>
    /// <param name="recordId">The record's id, greater than every id appended before.</param>
    /// <param name="payload">The record's bytes.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the record is durable.</returns>
    ValueTask AppendJournalAsync(long recordId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default);

    /// <summary>Atomically records sealed blocks (registering their timelines) and drops journal records with id below <paramref name="journalKeepFrom"/>.</summary>
    /// <param name="blocks">The blocks just written through <see cref="IBlockStorage.WriteBlocksAsync"/>.</param>
    /// <param name="journalKeepFrom">The smallest journal record id still needed; every record below it may be deleted.</param>
    /// <param name="cancellationToken">Cancels the commit.</param>
    /// <returns>A task that completes when the commit is durable.</returns>
    ValueTask CommitBlocksAsync(IReadOnlyList<BlockInfo> blocks, long journalKeepFrom, CancellationToken cancellationToken = default);

    /// <summary>Registers timelines that have no sealed block yet, so they survive a restart; registering one twice is harmless.</summary>
    /// <param name="timelines">The timelines to register.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the registration is durable.</returns>
    ValueTask RegisterTimelinesAsync(IReadOnlyList<TimelineKey> timelines, CancellationToken cancellationToken = default);
}
