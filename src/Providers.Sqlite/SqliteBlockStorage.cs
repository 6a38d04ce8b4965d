using Dapper;
using Microsoft.Data.Sqlite;

namespace BlockStore.Providers.Sqlite;

/// <summary>Block bytes in the <c>block_data</c> table, grouped into virtual stores of at most <see cref="BlockStoreOptions.MaxCapacity"/> bytes.</summary>
internal sealed class SqliteBlockStorage : IBlockStorage
{
    private readonly SqliteDatabase _db;
    private readonly long _capacity;
    private readonly List<StoreInfo> _stores;
    private Dictionary<long, long> _freed;
    private readonly SqliteCommand _insert;
    private readonly SqliteParameter _insertKey;
    private readonly SqliteParameter _insertData;
    private IReadOnlyList<StoreInfo>? _snapshot;

    public SqliteBlockStorage(SqliteDatabase db, long capacity)
    {
        _db = db;
        _capacity = capacity;
        List<StoreRow> rows = [.. db.Writer.Query<StoreRow>(SqlQueries.LoadStores)];
        _stores = [.. rows.Select(static r => new StoreInfo(r.StoreId, r.Capacity, r.Used))];
        _freed = rows.Where(static r => r.Freed > 0).ToDictionary(static r => r.StoreId, static r => r.Freed);
        _insert = db.Writer.CreateCommand();
        _insert.CommandText = SqlQueries.InsertBlockData;
        _insertKey = _insert.Parameters.Add("@key", SqliteType.Integer);
        _insertData = _insert.Parameters.Add("@data", SqliteType.Blob);
    }

    /// <summary>SQLite stores have no header: a block may use a whole store.</summary>
    public long MaxBlockSize => _capacity;

    public ValueTask<IReadOnlyList<StoreIndex>> WriteBlocksAsync(IReadOnlyList<ReadOnlyMemory<byte>> blocks, CancellationToken cancellationToken = default)
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        StoreIndex[] locations;
        lock (_db.WriteLock)
        {
            StorePlacement placement = VirtualStores.Place(_stores, _capacity, blocks, now);
            locations = placement.Locations;

            // No flush of its own: the metadata commit that references these blocks comes later in the same WAL,
            // and its flush makes everything before it durable too.
            using IDisposable relaxed = _db.RelaxedSync();
            using SqliteTransaction transaction = _db.Writer.BeginTransaction();
            foreach (StoreInfo created in placement.Created)
            {
                _db.Writer.Execute(SqlQueries.InsertStore, new { Id = created.StoreId, Capacity = _capacity, Created = now.ToUnixTimeMilliseconds() }, transaction);
            }

            foreach (StoreInfo touched in placement.Touched)
            {
                _db.Writer.Execute(SqlQueries.UpdateStoreUsed, new { Id = touched.StoreId, Used = touched.UsedBytes }, transaction);
            }

            _insert.Transaction = transaction;
            for (int i = 0; i < blocks.Count; i++)
            {
                _insertKey.Value = SqlQueries.BlockKey(locations[i].StoreId, locations[i].Offset);
                _insertData.Value = SqliteDatabase.AsArray(blocks[i]);
                _insert.ExecuteNonQuery();
            }

            transaction.Commit();
            _insert.Transaction = null;
            _stores.Clear();
            _stores.AddRange(placement.Stores);
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

    /// <summary>Deletes the blocks' rows (<c>secure_delete</c> zeroes their bytes in the pages) and counts them freed, in one commit.</summary>
    /// <remarks>The free pages and the WAL frames that held them go in <see cref="IBlockStoreSession.ReclaimAsync"/>.</remarks>
    public ValueTask ReleaseBlocksAsync(IReadOnlyList<StoreIndex> blocks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        lock (_db.WriteLock)
        {
            using SqliteTransaction transaction = _db.Writer.BeginTransaction();
            var released = new Dictionary<long, long>();
            foreach (StoreIndex block in blocks)
            {
                long? length = _db.Writer.ExecuteScalar<long?>(
                    SqlQueries.ReleaseBlockData, new { key = SqlQueries.BlockKey(block.StoreId, block.Offset) }, transaction);
                if (length is long bytes)
                {
                    released[block.StoreId] = released.GetValueOrDefault(block.StoreId) + bytes;
                }
            }

            StoreReleasePlan plan = StoreRelease.Plan(_stores, _freed, released);
            _db.Writer.Execute(SqlQueries.SetFreed, plan.Updated.Select(static u => new { Id = u.Key, Freed = u.Value }), transaction);
            _db.Writer.Execute(SqlQueries.DeleteStore, plan.Dropped.Select(static id => new { Id = id }), transaction);
            transaction.Commit();
            _stores.Clear();
            _stores.AddRange(plan.Stores);
            _freed = plan.Freed;
            Volatile.Write(ref _snapshot, null);
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
                snapshot = _snapshot ??= StoreRelease.Report(_stores, _freed);
            }
        }

        return ValueTask.FromResult(snapshot);
    }

    private sealed class StoreRow
    {
        public long StoreId { get; set; }

        public long Capacity { get; set; }

        public long Used { get; set; }

        public long Freed { get; set; }
    }
}
