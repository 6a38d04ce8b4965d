namespace BlockStore.Providers;

/// <summary>Keeps the inbox index: per user and conversation, the last activity, the number of entries and the read marker.</summary>
/// <remarks>
/// <para>
/// The engine derives activity from the messages it journals and folds it into the index in batches, before the journal
/// records holding those messages are dropped; <see cref="GetAppliedThroughAsync"/> tells it which journaled messages the
/// index already holds, so a crash neither loses nor repeats any. Read markers are saved as they move, like checkpoints.
/// </para>
/// <para>
/// The engine calls the write members from its single writer, one call at a time, and the reads from any thread, concurrently
/// with that writer. A read sees every write that completed before it was called and nothing of a write still in progress.
/// Each read costs one indexed search by user (and conversation): never a scan of other users.
/// </para>
/// </remarks>
public interface IInboxStore
{
    /// <summary>Returns the SeqId up to which the index holds every message's activity, 0 when it holds none.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The SeqId last given to <see cref="SaveActivityAsync"/>.</returns>
    ValueTask<long> GetAppliedThroughAsync(CancellationToken cancellationToken = default);

    /// <summary>Returns the row of one user in one conversation, or null when there is none.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="convId">The conversation id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The row, or null.</returns>
    ValueTask<InboxRow?> GetAsync(string userId, string convId, CancellationToken cancellationToken = default);

    /// <summary>Returns the user's rows with <see cref="InboxRow.LastSeqId"/> above 0 and below <paramref name="beforeSeqId"/>, newest activity first.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="beforeSeqId">The exclusive upper bound of the rows' last SeqId.</param>
    /// <param name="limit">The most rows to return (positive).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The rows, newest activity first.</returns>
    ValueTask<IReadOnlyList<InboxRow>> GetPageAsync(string userId, long beforeSeqId, int limit, CancellationToken cancellationToken = default);

    /// <summary>Returns the sum of <see cref="InboxRow.Count"/> minus <see cref="InboxRow.ReadCount"/> over the user's rows.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The sum, 0 when the user has no rows.</returns>
    ValueTask<long> GetUnreadTotalAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>Adds activity to the rows (creating missing ones) and records <paramref name="appliedThrough"/>, all in one atomic, durable commit.</summary>
    /// <param name="changes">The activity; each user and conversation pair appears at most once.</param>
    /// <param name="appliedThrough">The SeqId up to which the index now holds every message's activity.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>
    /// A task that completes when the commit is durable as <see cref="BlockStoreOptions.Durability"/> requires; a provider whose
    /// commits share one ordered log with its journal may instead let the commit become durable with its next durable commit,
    /// since the engine drops the journal records holding this activity only through a later journal commit.
    /// </returns>
    ValueTask SaveActivityAsync(IReadOnlyList<InboxActivity> changes, long appliedThrough, CancellationToken cancellationToken = default);

    /// <summary>Stores read markers (creating missing rows) in one commit; the engine only ever saves markers that move forward.</summary>
    /// <param name="markers">The markers; each user and conversation pair appears at most once.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the markers are durable as <see cref="BlockStoreOptions.Durability"/> requires.</returns>
    ValueTask SaveMarkersAsync(IReadOnlyList<InboxMarker> markers, CancellationToken cancellationToken = default);

    /// <summary>Removes every row of one user (erasure of a user) in one durable commit; a user without rows is left alone. Default: not supported.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the removal is durable.</returns>
    ValueTask DeleteUserAsync(string userId, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("This storage provider cannot delete inbox rows, so its data sets cannot erase users.");

    /// <summary>Removes every user's row of one conversation (erasure of a conversation) in one durable commit. Default: not supported.</summary>
    /// <param name="convId">The conversation id.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the removal is durable.</returns>
    ValueTask DeleteConversationAsync(string convId, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("This storage provider cannot delete inbox rows, so its data sets cannot erase conversations.");
}
