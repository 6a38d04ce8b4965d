namespace BlockStore.Providers.Postgres;

/// <summary>An open PostgreSQL data set: the storage interfaces over one database, and the lease that makes this instance its owner.</summary>
internal sealed class PostgresBlockStoreSession(PostgresDatabase db, PostgresBlockStorage blocks) : IBlockStoreSession
{
    public string Location => db.Location;

    public IBlockStorage Blocks { get; } = blocks;

    public ITimelineRepository Timelines { get; } = new PostgresTimelineRepository(db);

    public ICheckpointStore Checkpoints { get; } = new PostgresCheckpointStore(db);

    public IInboxStore Inbox { get; } = new PostgresInboxStore(db);

    /// <summary>The lease held on the data set.</summary>
    public PostgresLease Lease => db.Lease;

    /// <summary>Refuses: a database server's data sets are backed up with the server's own tools.</summary>
    public ValueTask BackupAsync(string destination, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException(
            $"The PostgreSQL provider does not copy data sets ({Location}); back up the database with PostgreSQL's own tools " +
            "(pg_dump of the BlockStore schema, or pg_basebackup with WAL archiving for point-in-time recovery).");

    /// <summary>Renews the lease now, through the fence: proves the database answers and this instance still owns the data set.</summary>
    public ValueTask CheckAsync(CancellationToken cancellationToken = default) => db.Lease.RenewNowAsync(cancellationToken);

    /// <summary>
    /// Runs <c>VACUUM</c> on BlockStore's tables, so the space of deleted rows is reused. What is forgotten here is forgotten by the
    /// data set: no row returns it. The server's own files (heap pages not yet reused, its WAL and archives, backups) are
    /// PostgreSQL's and may keep the bytes until they are overwritten or expire.
    /// </summary>
    public ValueTask ReclaimAsync(CancellationToken cancellationToken = default) => db.VacuumAsync(cancellationToken);

    public ValueTask DisposeAsync() => db.DisposeAsync();
}
