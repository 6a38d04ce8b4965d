using System.Collections.Concurrent;
using Dapper;
using Microsoft.Data.Sqlite;

namespace BlockStore.Providers.Sqlite;

/// <summary>
/// One open BlockStore database: the writer connection (used by one writer at a time, guarded anyway) and a pool of
/// read-only connections that WAL lets run alongside it.
/// </summary>
internal sealed class SqliteDatabase : IDisposable
{
    private readonly string _connectionString;
    private readonly int _pageCacheKib;
    private readonly ConcurrentBag<SqliteConnection> _readers = [];

    public SqliteDatabase(string connectionString, Durability durability, int pageCacheKib)
    {
        _connectionString = connectionString;
        _pageCacheKib = pageCacheKib;
        Writer = new SqliteConnection(connectionString);
        Writer.Open();
        string synchronous = durability == Durability.Full ? "FULL" : "NORMAL";
        Writer.Execute($"PRAGMA journal_mode=WAL; PRAGMA synchronous={synchronous}; PRAGMA cache_size=-{_pageCacheKib}; PRAGMA busy_timeout=5000;");
        EnsureSchema();
    }

    public SqliteConnection Writer { get; }

    /// <summary>Serialises use of <see cref="Writer"/>.</summary>
    public Lock WriteLock { get; } = new();

    public SqliteConnection RentReader()
    {
        if (_readers.TryTake(out SqliteConnection? connection))
        {
            return connection;
        }

        connection = new SqliteConnection(_connectionString);
        connection.Open();
        connection.Execute($"PRAGMA query_only=1; PRAGMA cache_size=-{_pageCacheKib}; PRAGMA busy_timeout=5000;");
        return connection;
    }

    public void ReturnReader(SqliteConnection connection) => _readers.Add(connection);

    public void Dispose()
    {
        while (_readers.TryTake(out SqliteConnection? reader))
        {
            reader.Dispose();
        }

        lock (WriteLock)
        {
            Writer.Dispose();
        }
    }

    private void EnsureSchema()
    {
        using SqliteTransaction transaction = Writer.BeginTransaction();
        Writer.Execute(SqlQueries.CreateSchema, transaction: transaction);
        long? version = Writer.ExecuteScalar<long?>(SqlQueries.GetSchemaVersion, transaction: transaction);
        if (version > SqlQueries.SchemaVersion)
        {
            throw new BlockStoreException(
                $"The database '{Writer.DataSource}' has schema version {version}, newer than this library supports ({SqlQueries.SchemaVersion}). Upgrade BlockStore.");
        }

        if (version is null)
        {
            Writer.Execute(SqlQueries.SetSchemaVersion, new { Version = SqlQueries.SchemaVersion }, transaction);
        }

        transaction.Commit();
    }
}
