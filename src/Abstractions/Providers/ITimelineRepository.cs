namespace BlockStore.Providers;

/// <summary>Keeps the timeline index (each timeline's metadata and the StoreIndex of its sealed blocks) and the journal of open blocks.</summary>
/// <remarks>
/// <para>
/// The engine keeps only a bounded working set of timelines in memory and asks the index for the rest. It calls the write
/// members (<see cref="AppendJournalAsync"/>, <see cref="CommitBlocksAsync"/>, <see cref="RegisterTimelinesAsync"/>) from its single
/// writer, one call at a time, and the lookups (<see cref="GetTimelineAsync"/>, <see cref="GetBlocksBeforeAsync"/>,
/// <see cref="GetBlocksAfterAsync"/>, <see cref="GetBlocksByTimeAsync"/>) from any thread, concurrently with each other and with
/// that writer. A lookup sees every write that completed before it was called and nothing of a write still in progress; the
/// answers of one lookup are consistent with each other. A lookup must not wait for the writer (readers of sealed blocks take
/// no global lock), and costs one indexed search by timeline, then by SeqId or time: never a scan of other timelines, and
/// within the timeline at most the blocks between its newest and the range asked for.
/// </para>
/// <para>
/// Durability: when a write member returns, what it recorded is durable as <see cref="BlockStoreOptions.Durability"/> requires,
/// totals included; a crash then keeps it, and a crash before it returns keeps all of it or none. The engine relies on that
/// to evict a timeline once its blocks are committed: from then on the index alone answers for it.
/// </para>
/// <para>
/// Opening a data set costs time in proportion to the journal only: the engine reads <see cref="GetSummaryAsync"/> once, then
/// <see cref="ReadJournalAsync"/>, and looks up the timelines the journal touches. <see cref="LoadTimelinesAsync"/> and
/// <see cref="LoadBlocksAsync"/> walk the whole index; they serve verification and tools, never opening.
/// </para>
/// <para>
/// The journal is append-only and sequential: one record per group commit, with ids the engine assigns in increasing order.
/// Its payload is opaque to the provider (the engine frames and checksums it). Sealing records the new blocks, updates the
/// totals, and drops the journal prefix they cover in one atomic step, so after a crash either all of it happened or none did.
/// </para>
/// </remarks>
public interface ITimelineRepository
{
    /// <summary>Returns the index's running totals and high-water marks, without scanning (the engine calls it once, at open).</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The totals as of the last completed write.</returns>
    ValueTask<DataSetSummary> GetSummaryAsync(CancellationToken cancellationToken = default);

    /// <summary>Looks up one timeline: null when it is not registered, else its totals and its newest sealed blocks.</summary>
    /// <remarks>A timeline is registered by <see cref="RegisterTimelinesAsync"/> or by the first <see cref="CommitBlocksAsync"/> holding one of its blocks.</remarks>
    /// <param name="key">The timeline.</param>
    /// <param name="newestBlocks">How many of the newest sealed blocks to return (0 for none).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The timeline's metadata, or null.</returns>
    ValueTask<TimelineMetadata?> GetTimelineAsync(TimelineKey key, int newestBlocks, CancellationToken cancellationToken = default);

    /// <summary>
    /// Looks up several timelines as <see cref="GetTimelineAsync"/> looks up one; the writer calls it once per turn for every
    /// timeline the turn's messages touch that is not in memory. Default: one <see cref="GetTimelineAsync"/> call per key; a
    /// provider with a round trip per call answers in one.
    /// </summary>
    /// <param name="keys">The timelines, each once.</param>
    /// <param name="newestBlocks">How many of each timeline's newest sealed blocks to return (0 for none).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>One entry per key, in the order of <paramref name="keys"/>: the timeline's metadata, or null when it is not registered.</returns>
    async ValueTask<IReadOnlyList<TimelineMetadata?>> GetTimelinesAsync(IReadOnlyList<TimelineKey> keys, int newestBlocks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var found = new TimelineMetadata?[keys.Count];
        for (int i = 0; i < found.Length; i++)
        {
            found[i] = await GetTimelineAsync(keys[i], newestBlocks, cancellationToken).ConfigureAwait(false);
        }

        return found;
    }

    /// <summary>Returns the newest sealed blocks of one timeline with <see cref="BlockInfo.FirstSeqId"/> below <paramref name="beforeSeqId"/>, newest first.</summary>
    /// <param name="key">The timeline.</param>
    /// <param name="beforeSeqId">The exclusive upper bound of the blocks' first SeqId.</param>
    /// <param name="maxBlocks">The most blocks to return (positive).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The blocks, newest first; empty when there are none.</returns>
    ValueTask<IReadOnlyList<BlockInfo>> GetBlocksBeforeAsync(TimelineKey key, long beforeSeqId, int maxBlocks, CancellationToken cancellationToken = default);

    /// <summary>Returns the oldest sealed blocks of one timeline holding a SeqId above <paramref name="afterSeqId"/> and starting below <paramref name="beforeSeqId"/>, oldest first.</summary>
    /// <param name="key">The timeline.</param>
    /// <param name="afterSeqId">The exclusive lower bound of the blocks' last SeqId.</param>
    /// <param name="beforeSeqId">The exclusive upper bound of the blocks' first SeqId.</param>
    /// <param name="maxBlocks">The most blocks to return (positive).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The blocks, oldest first; empty when there are none.</returns>
    ValueTask<IReadOnlyList<BlockInfo>> GetBlocksAfterAsync(TimelineKey key, long afterSeqId, long beforeSeqId, int maxBlocks, CancellationToken cancellationToken = default);

    /// <summary>
    /// Returns the oldest sealed blocks of one timeline that overlap the time window <c>[fromMs, toMs)</c> (last timestamp at or
    /// after <paramref name="fromMs"/>, first timestamp before <paramref name="toMs"/>), hold a SeqId above <paramref name="afterSeqId"/>
    /// and start below <paramref name="beforeSeqId"/>, oldest first.
    /// </summary>
    /// <remarks>Timestamps never decrease along a timeline, so these blocks are consecutive; the SeqId bounds page through them.</remarks>
    /// <param name="key">The timeline.</param>
    /// <param name="fromMs">The window's inclusive start, in Unix milliseconds.</param>
    /// <param name="toMs">The window's exclusive end, in Unix milliseconds.</param>
    /// <param name="afterSeqId">The exclusive lower bound of the blocks' last SeqId.</param>
    /// <param name="beforeSeqId">The exclusive upper bound of the blocks' first SeqId.</param>
    /// <param name="maxBlocks">The most blocks to return (positive).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The blocks, oldest first; empty when there are none.</returns>
    ValueTask<IReadOnlyList<BlockInfo>> GetBlocksByTimeAsync(
        TimelineKey key, long fromMs, long toMs, long afterSeqId, long beforeSeqId, int maxBlocks, CancellationToken cancellationToken = default);

    /// <summary>Streams every registered timeline, including those without sealed blocks (for verification and tools; never called at open).</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The kind and id of each timeline, in any order.</returns>
    IAsyncEnumerable<TimelineKey> LoadTimelinesAsync(CancellationToken cancellationToken = default);

    /// <summary>Streams the metadata of every sealed block, ordered by timeline and, within a timeline, by <see cref="BlockInfo.FirstSeqId"/> (for verification and tools; never called at open).</summary>
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

    /// <summary>
    /// Atomically records sealed blocks (registering their timelines, adding to their totals and to the data set's totals, raising
    /// the high-water marks of <see cref="GetSummaryAsync"/>) and drops journal records with id below <paramref name="journalKeepFrom"/>.
    /// </summary>
    /// <remarks>Within a timeline the engine commits blocks in SeqId order, each above every block committed for it before.</remarks>
    /// <param name="blocks">The blocks just written through <see cref="IBlockStorage.WriteBlocksAsync"/>.</param>
    /// <param name="journalKeepFrom">The smallest journal record id still needed; every record below it may be deleted.</param>
    /// <param name="cancellationToken">Cancels the commit.</param>
    /// <returns>A task that completes when the commit is durable.</returns>
    ValueTask CommitBlocksAsync(IReadOnlyList<BlockInfo> blocks, long journalKeepFrom, CancellationToken cancellationToken = default);

    /// <summary>Registers timelines that have no sealed block yet (counting the new ones in the totals), so they survive a restart; registering one twice is harmless.</summary>
    /// <param name="timelines">The timelines to register.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the registration is durable.</returns>
    ValueTask RegisterTimelinesAsync(IReadOnlyList<TimelineKey> timelines, CancellationToken cancellationToken = default);
    /// <summary>
    /// Atomically replaces sealed blocks of one timeline (compaction): drops the records of <paramref name="removed"/> and records
    /// <paramref name="added"/>, adjusting the timeline's and the data set's totals; a lookup sees all of it or none of it.
    /// </summary>
    /// <remarks>
    /// The engine calls it from its single writer, after writing the new blocks through <see cref="IBlockStorage.WriteBlocksAsync"/>,
    /// and only afterwards releases the old bytes (<see cref="IBlockStorage.ReleaseBlocksAsync"/>). Every removed block is a
    /// block of the timeline as returned by a lookup (matched by <see cref="BlockInfo.FirstSeqId"/>); the added blocks hold
    /// entries of the removed ones only (fewer or smaller), so they overlap no block that stays. The timeline stays registered
    /// even with no block left, and <see cref="TimelineMetadata.LastSealedSeqId"/> never decreases. Durable when it returns.
    /// Default: not supported (the data set cannot be compacted).
    /// </remarks>
    /// <param name="key">The timeline.</param>
    /// <param name="removed">The blocks to drop.</param>
    /// <param name="added">The blocks that replace them, in SeqId order.</param>
    /// <param name="cancellationToken">Cancels the commit.</param>
    /// <returns>A task that completes when the replacement is durable.</returns>
    ValueTask ReplaceBlocksAsync(TimelineKey key, IReadOnlyList<BlockInfo> removed, IReadOnlyList<BlockInfo> added, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("This storage provider cannot replace sealed blocks, so its data sets cannot be compacted.");

    /// <summary>
    /// Applies several replacements as <see cref="ReplaceBlocksAsync(TimelineKey, IReadOnlyList{BlockInfo}, IReadOnlyList{BlockInfo}, CancellationToken)"/>
    /// applies one, each atomic for its timeline; durable, all of them, when it returns. Default: one call per replacement; a provider
    /// that can commit them together (one transaction, one flush) does, so a compaction pays one flush per step, not per timeline.
    /// </summary>
    /// <param name="replacements">The replacements, each for a different timeline.</param>
    /// <param name="cancellationToken">Cancels the commit.</param>
    /// <returns>A task that completes when every replacement is durable.</returns>
    async ValueTask ReplaceBlocksAsync(IReadOnlyList<BlockReplacement> replacements, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replacements);
        foreach (BlockReplacement replacement in replacements)
        {
            await ReplaceBlocksAsync(replacement.Key, replacement.Removed, replacement.Added, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Atomically unregisters one timeline and drops the records of all its sealed blocks, adjusting the data set's totals (erasure).
    /// A timeline not registered is left alone. Called from the writer; durable when it returns. Default: not supported.
    /// </summary>
    /// <remarks>The engine looks up the timeline's blocks first and releases their bytes (<see cref="IBlockStorage.ReleaseBlocksAsync"/>) afterwards.</remarks>
    /// <param name="key">The timeline.</param>
    /// <param name="cancellationToken">Cancels the commit.</param>
    /// <returns>A task that completes when the removal is durable.</returns>
    ValueTask DeleteTimelineAsync(TimelineKey key, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("This storage provider cannot delete timelines, so its data sets cannot erase data.");
}
