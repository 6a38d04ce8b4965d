using Dapper;

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

    /// <summary>Copies the database with <c>VACUUM INTO</c> (a consistent snapshot, compacted) and the DataDir's format marker.</summary>
    public ValueTask BackupAsync(string destination, CancellationToken cancellationToken = default)
    {
        string target = DataSetBackup.CreateDestination(dataDirectory.FullPath, destination);
        string database = Path.Combine(target, Path.GetFileName(Location));

        // VACUUM INTO writes into an empty file: create it first so it is private from the start.
        new FileStream(database, PrivateFiles.Options(FileMode.CreateNew, FileAccess.Write, FileShare.None)).Dispose();
        lock (db.WriteLock)
        {
            db.Writer.Execute(new CommandDefinition(SqlQueries.BackupInto, new { target = database }, cancellationToken: cancellationToken));
        }

        using (var copy = new FileStream(database, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            copy.Flush(flushToDisk: true);
        }

        DataSetBackup.CopyFile(Path.Combine(dataDirectory.FullPath, DataDirectory.FormatFileName), Path.Combine(target, DataDirectory.FormatFileName));
        DataSetBackup.FlushDirectories([target]);
        return ValueTask.CompletedTask;
    }

    /// <summary>Returns the free pages to the file system and truncates the WAL; deleted rows were already zeroed (<c>secure_delete</c>).</summary>
    public ValueTask ReclaimAsync(CancellationToken cancellationToken = default)
    {
        db.Reclaim();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        db.Dispose();
        legacyLock?.Dispose();
        dataDirectory.Dispose();
        return ValueTask.CompletedTask;
    }
}
