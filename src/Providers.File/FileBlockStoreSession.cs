namespace BlockStore.Providers.File;

/// <summary>An open file-system data set: the storage interfaces over its files, and the DataDir it owns.</summary>
internal sealed class FileBlockStoreSession(
    DataDirectory dataDirectory, FileBlockStorage blocks, FileTimelineRepository timelines, FileCheckpointStore checkpoints, FileInboxStore inbox) : IBlockStoreSession
{
    public string Location => dataDirectory.FullPath;

    public IReadOnlyList<string> ReadableByOthers => dataDirectory.ReadableByOthers;

    public IBlockStorage Blocks => blocks;

    public ITimelineRepository Timelines => timelines;

    public ICheckpointStore Checkpoints => checkpoints;

    public IInboxStore Inbox => inbox;

    /// <summary>Copies every file of the DataDir but the lock; the engine calls it between writer turns, when every file is complete.</summary>
    public ValueTask BackupAsync(string destination, CancellationToken cancellationToken = default)
    {
        string target = DataSetBackup.CreateDestination(dataDirectory.FullPath, destination);
        DataSetBackup.CopyDataDir(dataDirectory.FullPath, target, cancellationToken);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Deletes the files of stores whose blocks are all freed, rewrites the journal segment that still holds trimmed records without
    /// them, and writes new metadata and checkpoint snapshots after deletions, so no file keeps what was freed, trimmed or deleted.
    /// </summary>
    public ValueTask ReclaimAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        blocks.Reclaim();
        timelines.Reclaim();
        checkpoints.Reclaim();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            inbox.Dispose();
            checkpoints.Dispose();
            timelines.Dispose();
            blocks.Dispose();
        }
        finally
        {
            dataDirectory.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
