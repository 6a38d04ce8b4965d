namespace BlockStore.Providers;

/// <summary>An open, exclusively owned data set: block bytes, timeline metadata with the journal, checkpoints and inboxes.</summary>
/// <remarks>
/// The engine calls the write members of all three interfaces from one writer at a time, and the read members
/// (<see cref="IBlockStorage.ReadBlockAsync"/>, <see cref="ICheckpointStore.GetAsync"/>) from any thread, concurrently
/// with that writer. Disposing releases the lock on the data set.
/// </remarks>
public interface IBlockStoreSession : IAsyncDisposable
{
    /// <summary>Where the data set lives (a directory or a database), for messages and logs.</summary>
    string Location { get; }

    /// <summary>The fixed-capacity stores holding sealed block bytes.</summary>
    IBlockStorage Blocks { get; }

    /// <summary>The timeline metadata (StoreIndex of every sealed block) and the journal of open blocks.</summary>
    ITimelineRepository Timelines { get; }

    /// <summary>The users' read checkpoints.</summary>
    ICheckpointStore Checkpoints { get; }

    /// <summary>The users' inboxes: activity, entry counts and read markers per conversation.</summary>
    IInboxStore Inbox { get; }

    /// <summary>The files and directories of the data set that accounts other than its owner can read, as found at open. Default: none.</summary>
    IReadOnlyList<string> ReadableByOthers => [];

    /// <summary>
    /// Copies the data set, as it stands, into <paramref name="destination"/> (a new or empty directory) so that it opens there as
    /// the same data set. The engine calls it between writer turns: no write runs meanwhile. Default: not supported.
    /// </summary>
    /// <param name="destination">The directory to create the copy in.</param>
    /// <param name="cancellationToken">Cancels the copy; a partial copy may be left behind.</param>
    /// <returns>A task that completes once the copy is durable.</returns>
    /// <exception cref="NotSupportedException">The provider cannot copy its data sets.</exception>
    ValueTask BackupAsync(string destination, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"The storage provider behind '{Location}' cannot back up a data set.");

    /// <summary>Checks that the data set's storage answers and is still owned by this session; throws when not. Called by the health check, from any thread. Default: completes.</summary>
    ValueTask CheckAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    /// <summary>
    /// Makes freed space unreadable and gives it back, after a compaction: no byte of a block freed by
    /// <see cref="IBlockStorage.ReleaseBlocksAsync"/> or of a journal record dropped by a trim may remain in any file of the data
    /// set (store, journal, database page, free page or write-ahead log) when this returns. The engine calls it between writer
    /// turns: no write runs meanwhile. Default: completes (a provider that leaves nothing behind).
    /// </summary>
    /// <remarks>
    /// A provider that keeps data sets in a database server has no files of its own: there the promise is that no row returns
    /// the freed bytes, while the server's files, logs and backups are the server operator's (the PostgreSQL provider runs
    /// <c>VACUUM</c> here so the space is reused).
    /// </remarks>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>A task that completes when the space is reclaimed.</returns>
    ValueTask ReclaimAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}
