namespace BlockStore.Providers.Sqlite;

/// <summary>An open SQLite data set: the three storage interfaces over one database, and the lock that owns it.</summary>
internal sealed class SqliteBlockStoreSession(string location, SqliteDatabase db, DataSetLock fileLock, long capacity) : IBlockStoreSession
{
    public string Location { get; } = location;

    public IBlockStorage Blocks { get; } = new SqliteBlockStorage(db, capacity);

    public ITimelineRepository Timelines { get; } = new SqliteTimelineRepository(db);

    public ICheckpointStore Checkpoints { get; } = new SqliteCheckpointStore(db);

    public ValueTask DisposeAsync()
    {
        db.Dispose();
        fileLock.Dispose();
        return ValueTask.CompletedTask;
    }
}
