using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace BlockStore.Providers.Postgres;

/// <summary>Block bytes in the <c>block_data</c> table, grouped into virtual stores of at most <see cref="BlockStoreOptions.MaxCapacity"/> bytes.</summary>
internal sealed class PostgresBlockStorage : IBlockStorage
{
    private readonly PostgresDatabase _db;
    private readonly long _capacity;
    private readonly Lock _storesLock = new();
    private List<StoreInfo> _stores;

    private PostgresBlockStorage(PostgresDatabase db, long capacity, List<StoreInfo> stores)
    {
        _db = db;
        _capacity = capacity;
        _stores = stores;
    }

    /// <summary>PostgreSQL stores have no header: a block may use a whole store.</summary>
    public long MaxBlockSize => _capacity;

    /// <summary>Loads the data set's stores (a few rows: one per <see cref="BlockStoreOptions.MaxCapacity"/> bytes written).</summary>
    public static async Task<PostgresBlockStorage> OpenAsync(PostgresDatabase db, long capacity, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection c = await db.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        IEnumerable<StoreRow> rows = await c.QueryAsync<StoreRow>(new CommandDefinition(db.Queries.LoadStores, new { dataSet = db.DataSet }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new PostgresBlockStorage(db, capacity, [.. rows.Select(static r => new StoreInfo(r.StoreId, r.Capacity, r.Used))]);
    }

    public async ValueTask<IReadOnlyList<StoreIndex>> WriteBlocksAsync(IReadOnlyList<ReadOnlyMemory<byte>> blocks, CancellationToken cancellationToken = default)
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        StorePlacement placement = VirtualStores.Place(Volatile.Read(ref _stores), _capacity, blocks, now);
        StoreIndex[] locations = placement.Locations;
        long[] storeIds = [.. locations.Select(static l => l.StoreId)];
        long[] offsets = [.. locations.Select(static l => l.Offset)];
        byte[][] data = [.. blocks.Select(static b => b.ToArray())];
        StoreInfo[] touched = [.. placement.Touched];

        // No flush of its own: the metadata commit that references these blocks comes later in the same WAL, and its flush covers them.
        await _db.WriteAsync(
            batch =>
            {
                NpgsqlBatchCommand insert = _db.Add(batch, _db.Queries.InsertBlockData);
                insert.Parameters.Add(new NpgsqlParameter<long[]>("storeIds", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = storeIds });
                insert.Parameters.Add(new NpgsqlParameter<long[]>("offsets", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = offsets });
                insert.Parameters.Add(new NpgsqlParameter<byte[][]>("data", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { TypedValue = data });
                NpgsqlBatchCommand upsert = _db.Add(batch, _db.Queries.UpsertStores);
                upsert.Parameters.Add(new NpgsqlParameter<long[]>("storeIds", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. touched.Select(static s => s.StoreId)] });
                upsert.Parameters.Add(new NpgsqlParameter<long[]>("used", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. touched.Select(static s => s.UsedBytes)] });
                upsert.Parameters.Add(new NpgsqlParameter<long>("capacity", NpgsqlDbType.Bigint) { TypedValue = _capacity });
                upsert.Parameters.Add(new NpgsqlParameter<long>("created", NpgsqlDbType.Bigint) { TypedValue = now.ToUnixTimeMilliseconds() });
            },
            relaxed: true,
            cancellationToken).ConfigureAwait(false);
        lock (_storesLock)
        {
            _stores = placement.Stores;
        }

        return locations;
    }

    public async ValueTask ReadBlockAsync(StoreIndex location, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        await using NpgsqlConnection c = await _db.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(_db.Queries.ReadBlockData, c);
        command.Parameters.Add(new NpgsqlParameter<string>("dataSet", NpgsqlDbType.Text) { TypedValue = _db.DataSet });
        command.Parameters.Add(new NpgsqlParameter<long>("storeId", NpgsqlDbType.Bigint) { TypedValue = location.StoreId });
        command.Parameters.Add(new NpgsqlParameter<long>("offset", NpgsqlDbType.Bigint) { TypedValue = location.Offset });
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new CorruptBlockException(location.StoreId, location.Offset, "no block is stored there");
        }

        await using Stream stream = await reader.GetStreamAsync(0, cancellationToken).ConfigureAwait(false);
        if (stream.Length != destination.Length)
        {
            throw new CorruptBlockException(location.StoreId, location.Offset, $"{stream.Length} bytes stored where {destination.Length} were expected");
        }

        await stream.ReadExactlyAsync(destination, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask<IReadOnlyList<StoreInfo>> GetStoresAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<StoreInfo>>(Volatile.Read(ref _stores));

    private sealed class StoreRow
    {
        public long StoreId { get; set; }

        public long Capacity { get; set; }

        public long Used { get; set; }
    }
}
