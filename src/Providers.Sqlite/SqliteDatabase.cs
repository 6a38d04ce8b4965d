using System.Collections.Concurrent;
using System.Runtime.InteropServices;
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
    private readonly ConcurrentBag<SqliteReader> _readers = [];
    private readonly Durability _durability;
    private int _idleReaders;
    private bool _disposed;

    public SqliteDatabase(string connectionString, Durability durability, int pageCacheKib)
    {
        _connectionString = connectionString;
        _pageCacheKib = pageCacheKib;
        _durability = durability;
        Writer = new SqliteConnection(connectionString);
        Writer.Open();
        Writer.Execute(SqlQueries.EnableIncrementalVacuum);
        Writer.Execute(SqlQueries.ConfigureWriter(durability, _pageCacheKib));
        EnsureSchema();
        if (Writer.ExecuteScalar<long>(SqlQueries.GetAutoVacuum) != SqlQueries.IncrementalAutoVacuum)
        {
            Writer.Execute(SqlQueries.Vacuum);
        }

        ReleaseFreePages();
    }

    public SqliteConnection Writer { get; }

    /// <summary>The most idle readers kept in the pool; a reader returned beyond it is closed.</summary>
    public static int MaxIdleReaders { get; } = Math.Max(4, Environment.ProcessorCount);

    /// <summary>The readers waiting in the pool.</summary>
    public int IdleReaders => _readers.Count;

    /// <summary>Serialises use of <see cref="Writer"/>.</summary>
    public Lock WriteLock { get; } = new();

    /// <summary>The array behind <paramref name="bytes"/> when it spans a whole array, else a copy: SQLite binds whole arrays.</summary>
    public static byte[] AsArray(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out ArraySegment<byte> segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : bytes.ToArray();

    /// <summary>
    /// Until disposed, commits of the writer connection reach the WAL without a flush (<c>synchronous=NORMAL</c>);
    /// the next commit at the configured level flushes them with it, since the WAL is written in order.
    /// </summary>
    public IDisposable RelaxedSync()
    {
        if (_durability != Durability.Full)
        {
            return NoOp.Instance;
        }

        Writer.Execute(SqlQueries.SynchronousNormal);
        return new Restore(Writer, SqlQueries.Synchronous(_durability));
    }

    /// <summary>Takes a reader from the pool, or opens one; throws <see cref="ObjectDisposedException"/> once the database is closed.</summary>
    public SqliteReader RentReader()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        if (_readers.TryTake(out SqliteReader? reader))
        {
            Interlocked.Decrement(ref _idleReaders);
            return reader;
        }

        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        connection.Execute(SqlQueries.ConfigureReader(_pageCacheKib));
        reader = new SqliteReader(connection);
        if (Volatile.Read(ref _disposed))
        {
            reader.Dispose();
            throw new ObjectDisposedException(nameof(SqliteDatabase));
        }

        return reader;
    }

    /// <summary>
    /// Puts a reader back in the pool, or closes it when <see cref="MaxIdleReaders"/> already wait there or the database closed
    /// while it was in use.
    /// </summary>
    public void ReturnReader(SqliteReader reader)
    {
        if (Interlocked.Increment(ref _idleReaders) > MaxIdleReaders)
        {
            Interlocked.Decrement(ref _idleReaders);
            reader.Dispose();
            return;
        }

        _readers.Add(reader);
        if (Volatile.Read(ref _disposed) && _readers.TryTake(out SqliteReader? late))
        {
            Interlocked.Decrement(ref _idleReaders);
            late.Dispose();
        }
    }

    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        while (_readers.TryTake(out SqliteReader? reader))
        {
            Interlocked.Decrement(ref _idleReaders);
            reader.Dispose();
        }

        lock (WriteLock)
        {
            ReleaseFreePages();
            Writer.Dispose();
        }
    }

    /// <summary>
    /// Gives freed space back and leaves no former content in any file: returns the free pages to the file system, then moves the
    /// WAL into the database and truncates it. Deleted rows were zeroed as they were deleted (<c>secure_delete</c>), so afterwards
    /// neither the database, its free pages nor the WAL holds a byte of them.
    /// </summary>
    /// <exception cref="BlockStoreException">A reader kept the WAL from being truncated for the whole busy timeout.</exception>
    public void Reclaim()
    {
        lock (WriteLock)
        {
            ReleaseFreePages();
            (long busy, long frames, long moved) = Writer.QuerySingle<(long, long, long)>(SqlQueries.TruncateWal);
            if (busy != 0)
            {
                throw new BlockStoreException(
                    $"The write-ahead log of '{Writer.DataSource}' could not be truncated ({moved} of {frames} frames moved): a reader held it for the whole busy timeout. Try again.");
            }
        }
    }

    /// <summary>
    /// Returns the pages trimmed journal records left free to the file system, so a closed data set holds no free space. While the
    /// store runs, the journal reuses the pages it frees; this runs on open (after a crash), on close and in <see cref="Reclaim"/>.
    /// </summary>
    private void ReleaseFreePages()
    {
        if (Writer.ExecuteScalar<long>(SqlQueries.FreePages) > 0)
        {
            Writer.Execute(SqlQueries.ReleaseFreePages);
        }
    }

    private void EnsureSchema()
    {
        using SqliteTransaction transaction = Writer.BeginTransaction();
        Writer.Execute(SqlQueries.CreateSchema, transaction: transaction);
        Writer.Execute(SqlQueries.CreateInboxSchema, transaction: transaction);
        long? version = Writer.ExecuteScalar<long?>(SqlQueries.GetSchemaVersion, transaction: transaction);
        if (version > SqlQueries.SchemaVersion)
        {
            throw new BlockStoreException(
                $"The database '{Writer.DataSource}' has schema version {version}, newer than this library supports ({SqlQueries.SchemaVersion}). Upgrade BlockStore.");
        }

        if (version == 1)
        {
            Writer.Execute(SqlQueries.MigrateFrom1, transaction: transaction);
        }

        if (version is 1 or 2)
        {
            Writer.Execute(SqlQueries.MigrateFrom2, transaction: transaction);
        }

        if (version != SqlQueries.SchemaVersion)
        {
            Writer.Execute(SqlQueries.InitTotals, transaction: transaction);
            Writer.Execute(SqlQueries.SetSchemaVersion, new { Version = SqlQueries.SchemaVersion }, transaction);
        }

        transaction.Commit();
    }

    private sealed class Restore(SqliteConnection connection, string synchronous) : IDisposable
    {
        public void Dispose() => connection.Execute(synchronous);
    }

    private sealed class NoOp : IDisposable
    {
        public static readonly NoOp Instance = new();

        public void Dispose()
        {
        }
    }
}
