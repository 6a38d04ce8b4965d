namespace BlockStore.Providers.File;

/// <summary>An open file-system data set: the three storage interfaces over its files, and the DataDir it owns.</summary>
internal sealed class FileBlockStoreSession(
    DataDirectory dataDirectory, FileBlockStorage blocks, FileTimelineRepository timelines, FileCheckpointStore checkpoints) : IBlockStoreSession
{
    public string Location => dataDirectory.FullPath;

    public IReadOnlyList<string> ReadableByOthers => dataDirectory.ReadableByOthers;

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
            dataDirectory.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
