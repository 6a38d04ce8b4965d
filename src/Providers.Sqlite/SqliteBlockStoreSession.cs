namespace BlockStore.Providers.Sqlite;

/// <summary>An open SQLite data set: the storage interfaces over one database, and the DataDir it owns.</summary>
internal sealed class SqliteBlockStoreSession(string location, SqliteDatabase db, DataDirectory dataDirectory, DataSetLock? legacyLock, long capacity) : IBlockStoreSession
{
    public string Location { get; } = location;

    public IBlockStorage Blocks { get; } = new SqliteBlockStorage(db, capacity);

    public ITimelineRepository Timelines { get; } = new SqliteTimelineRepository(db);

    public ICheckpointStore Checkpoints { get; } = new SqliteCheckpointStore(db);

    public IInboxStore Inbox { get; } = new SqliteInboxStore(db);

    public IReadOnlyList<string> ReadableByOthers => dataDirectory.ReadableByOthers;

    public ValueTask DisposeAsync()
    {
        db.Dispose();
        legacyLock?.Dispose();
        dataDirectory.Dispose();
        return ValueTask.CompletedTask;
    }
}
