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
