using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace BlockStore.Providers.Postgres;

/// <summary>
/// One open data set in a PostgreSQL database: the data source for reads, one writer connection used by one writer at a time, and the
/// lease whose epoch fences every write in the database itself.
/// </summary>
internal sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private NpgsqlConnection? _writer;
    private PostgresLease? _lease;

    private PostgresDatabase(NpgsqlDataSource dataSource, PostgresQueries queries, string dataSet, string location)
    {
        _dataSource = dataSource;
        Queries = queries;
        DataSet = dataSet;
        Location = location;
    }

    public PostgresQueries Queries { get; }

    /// <summary>The data set's name, the first key column of every table.</summary>
    public string DataSet { get; }

    /// <summary>Where the data set lives, for messages: host, database, schema and data set, never credentials.</summary>
    public string Location { get; }

    /// <summary>The lease this instance holds on the data set.</summary>
    public PostgresLease Lease => _lease ?? throw new InvalidOperationException("The data set is not open.");

    /// <summary>Builds the data source, creates or checks the schema, takes the lease (waiting up to <paramref name="leaseWait"/>) and initialises the data set's totals.</summary>
    public static async Task<PostgresDatabase> OpenAsync(
        PostgresBlockStoreOptions options, BlockStoreOptions storeOptions, TimeSpan leaseWait, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnectionStringBuilder(options.ConnectionString)
        {
            MaxAutoPrepare = 32,
            AutoPrepareMinUsages = 2,
        };
        if (storeOptions.Durability == Durability.Normal)
        {
            connection.Options = $"{connection.Options} -c synchronous_commit=off".Trim();
        }

        string location = $"postgresql://{connection.Host}:{connection.Port}/{connection.Database}/{options.Schema}/{storeOptions.DataSet}";
        NpgsqlDataSource dataSource = NpgsqlDataSource.Create(connection);
        var db = new PostgresDatabase(dataSource, new PostgresQueries(options.Schema), storeOptions.DataSet, location);
        try
        {
            await db.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
            db._lease = await PostgresLease.AcquireAsync(db, options, leaseWait, cancellationToken).ConfigureAwait(false);
            await using NpgsqlConnection c = await db.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
            await c.ExecuteAsync(new CommandDefinition(db.Queries.InitTotals, new { dataSet = db.DataSet }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return db;
        }
        catch
        {
            await db.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Opens a pooled connection for reads (or for the lease).</summary>
    public ValueTask<NpgsqlConnection> OpenReaderAsync(CancellationToken cancellationToken) => _dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>
    /// Runs <paramref name="add"/>'s statements after the fence, in one transaction and one round trip: a deposed owner's write
    /// is refused by the database and changes nothing.
    /// </summary>
    /// <param name="add">Adds the write's statements to the batch.</param>
    /// <param name="relaxed">Commit without waiting for the WAL flush; a later commit's flush covers it, since the WAL is written in order.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public async ValueTask WriteAsync(Action<NpgsqlBatch> add, bool relaxed, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            NpgsqlConnection writer = await WriterAsync(cancellationToken).ConfigureAwait(false);
            // Without an explicit transaction a batch still runs as one (an error rolls back all of it), in one round trip.
            await using NpgsqlTransaction? transaction = relaxed ? await writer.BeginTransactionAsync(cancellationToken).ConfigureAwait(false) : null;
            await using var batch = new NpgsqlBatch(writer, transaction);
            if (relaxed)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(PostgresQueries.RelaxCommit));
            }

            batch.BatchCommands.Add(Lease.FenceCommand());
            add(batch);
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            if (transaction is not null)
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresQueries.LeaseLostState)
        {
            throw Lease.Lost(e);
        }
        catch (Exception e) when (e is NpgsqlException or IOException)
        {
            await DropWriterAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Runs <see cref="PostgresQueries.Vacuum"/> on a connection of its own, outside any transaction (VACUUM refuses one).</summary>
    public async ValueTask VacuumAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection c = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(Queries.Vacuum, c) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds a statement with its parameters to <paramref name="batch"/>.</summary>
    public NpgsqlBatchCommand Add(NpgsqlBatch batch, string sql)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string>("dataSet", NpgsqlDbType.Text) { TypedValue = DataSet });
        batch.BatchCommands.Add(command);
        return command;
    }

    public async ValueTask DisposeAsync()
    {
        if (_lease is not null)
        {
            await _lease.DisposeAsync().ConfigureAwait(false);
        }

        await _writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            await DropWriterAsync().ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }

        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }

    private async ValueTask<NpgsqlConnection> WriterAsync(CancellationToken cancellationToken) =>
        _writer ??= await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    private async ValueTask DropWriterAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
            _writer = null;
        }
    }

    private async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection c = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await c.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync(new CommandDefinition(Queries.LockSchema, new { schema = Queries.Schema }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        bool exists = await c.ExecuteScalarAsync<bool>(new CommandDefinition(
            PostgresQueries.SchemaExists, new { schema = Queries.Schema }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        int? version = exists
            ? await c.ExecuteScalarAsync<int?>(new CommandDefinition(Queries.GetSchemaVersion, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)
            : null;
        if (version > PostgresQueries.SchemaVersion)
        {
            throw new BlockStoreException(
                $"The schema '{Queries.Schema}' of the database at '{Location}' has schema version {version}, newer than this library supports " +
                $"({PostgresQueries.SchemaVersion}). Upgrade BlockStore.");
        }

        if (version != PostgresQueries.SchemaVersion)
        {
            await c.ExecuteAsync(new CommandDefinition(Queries.CreateSchema, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await c.ExecuteAsync(new CommandDefinition(
                Queries.SetSchemaVersion, new { version = PostgresQueries.SchemaVersion }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await c.ExecuteAsync(new CommandDefinition(Queries.CreateInboxSchema, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
