using Dapper;
using Microsoft.Data.Sqlite;

namespace BlockStore.Providers.Sqlite;

/// <summary>Block bytes in the <c>block_data</c> table, grouped into virtual stores of at most <see cref="BlockStoreOptions.MaxCapacity"/> bytes.</summary>
internal sealed class SqliteBlockStorage : IBlockStorage
{
    private readonly SqliteDatabase _db;
    private readonly long _capacity;
    private readonly List<StoreInfo> _stores;
    private readonly SqliteCommand _insert;
    private readonly SqliteParameter _insertKey;
    private readonly SqliteParameter _insertData;
    private IReadOnlyList<StoreInfo>? _snapshot;

    public SqliteBlockStorage(SqliteDatabase db, long capacity)
    {
        _db = db;
        _capacity = capacity;
        _stores = [.. db.Writer.Query<StoreRow>(SqlQueries.LoadStores).Select(static r => new StoreInfo(r.StoreId, r.Capacity, r.Used))];
        _insert = db.Writer.CreateCommand();
        _insert.CommandText = SqlQueries.InsertBlockData;
        _insertKey = _insert.Parameters.Add("@key", SqliteType.Integer);
        _insertData = _insert.Parameters.Add("@data", SqliteType.Blob);
    }

    /// <summary>SQLite stores have no header: a block may use a whole store.</summary>
    public long MaxBlockSize => _capacity;

    public ValueTask<IReadOnlyList<StoreIndex>> WriteBlocksAsync(IReadOnlyList<ReadOnlyMemory<byte>> blocks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        var locations = new StoreIndex[blocks.Count];
        DateTimeOffset now = DateTimeOffset.UtcNow;
        lock (_db.WriteLock)
        {
            // No flush of its own: the metadata commit that references these blocks comes later in the same WAL,
            // and its flush makes everything before it durable too.
            using IDisposable relaxed = _db.RelaxedSync();
            StoreInfo? current = _stores.Count == 0 ? null : _stores[^1];
            var created = new List<StoreInfo>();
            long used = current?.UsedBytes ?? 0;
            using SqliteTransaction transaction = _db.Writer.BeginTransaction();
            _insert.Transaction = transaction;
            for (int i = 0; i < blocks.Count; i++)
            {
                ReadOnlyMemory<byte> block = blocks[i];
                if (block.Length > _capacity)
                {
                    throw new ArgumentException($"Block {i} is {block.Length} bytes; stores hold at most {_capacity}.", nameof(blocks));
                }

                if (current is null || used + block.Length > current.Capacity)
                {
                    if (current is not null)
                    {
                        UpdateUsed(transaction, current.StoreId, used);
                    }

                    current = new StoreInfo((current?.StoreId ?? 0) + 1, _capacity, 0);
                    _db.Writer.Execute(SqlQueries.InsertStore, new { Id = current.StoreId, Capacity = _capacity, Created = now.ToUnixTimeMilliseconds() }, transaction);
                    created.Add(current);
                    used = 0;
                }

                _insertKey.Value = SqlQueries.BlockKey(current.StoreId, used);
                _insertData.Value = SqliteDatabase.AsArray(block);
                _insert.ExecuteNonQuery();
                locations[i] = new StoreIndex(current.StoreId, used, block.Length, now);
                used += block.Length;
            }

            if (current is not null)
            {
                UpdateUsed(transaction, current.StoreId, used);
            }

            transaction.Commit();
            _insert.Transaction = null;
            _stores.AddRange(created);
            if (current is not null)
            {
                _stores[^1] = current with { UsedBytes = used };
            }

            Volatile.Write(ref _snapshot, null);
        }

        return ValueTask.FromResult<IReadOnlyList<StoreIndex>>(locations);
    }

    public ValueTask ReadBlockAsync(StoreIndex location, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        SqliteReader connection = _db.RentReader();
        try
        {
            using SqliteDataReader reader = connection.ForBlock(location).ExecuteReader();
            if (!reader.Read())
            {
                throw new CorruptBlockException(location.StoreId, location.Offset, "no block is stored there");
            }

            using Stream stream = reader.GetStream(0);
            if (stream.Length != destination.Length)
            {
                throw new CorruptBlockException(location.StoreId, location.Offset, $"{stream.Length} bytes stored where {destination.Length} were expected");
            }

            stream.ReadExactly(destination.Span);
        }
        finally
        {
            _db.ReturnReader(connection);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<StoreInfo>> GetStoresAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<StoreInfo>? snapshot = Volatile.Read(ref _snapshot);
        if (snapshot is null)
        {
            lock (_db.WriteLock)
            {
                snapshot = _snapshot ??= [.. _stores];
            }
        }

        return ValueTask.FromResult(snapshot);
    }

    private void UpdateUsed(SqliteTransaction transaction, long storeId, long used) =>
        _db.Writer.Execute(SqlQueries.UpdateStoreUsed, new { Id = storeId, Used = used }, transaction);

    private sealed class StoreRow
    {
        public long StoreId { get; set; }

        public long Capacity { get; set; }

        public long Used { get; set; }
    }
}
