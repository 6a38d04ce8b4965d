namespace BlockStore.Providers.File;

/// <summary>An open file-system data set: the three storage interfaces over its files, and the lock that owns the directory.</summary>
internal sealed class FileBlockStoreSession(
    string location, DataSetLock fileLock, FileBlockStorage blocks, FileTimelineRepository timelines, FileCheckpointStore checkpoints) : IBlockStoreSession
{
    public string Location { get; } = location;

    public IBlockStorage Blocks => blocks;

    public ITimelineRepository Timelines => timelines;

    public ICheckpointStore Checkpoints => checkpoints;

    public ValueTask DisposeAsync()
    {
        try
        {
            checkpoints.Dispose();
            timelines.Dispose();
            blocks.Dispose();
        }
        finally
        {
            fileLock.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
