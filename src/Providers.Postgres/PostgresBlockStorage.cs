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
    private Dictionary<long, long> _freed;
    private IReadOnlyList<StoreInfo> _reported;

    private PostgresBlockStorage(PostgresDatabase db, long capacity, List<StoreInfo> stores, Dictionary<long, long> freed)
    {
        _db = db;
        _capacity = capacity;
        _stores = stores;
        _freed = freed;
        _reported = StoreRelease.Report(stores, freed);
    }

    /// <summary>PostgreSQL stores have no header: a block may use a whole store.</summary>
    public long MaxBlockSize => _capacity;

    /// <summary>Loads the data set's stores (a few rows: one per <see cref="BlockStoreOptions.MaxCapacity"/> bytes written).</summary>
    public static async Task<PostgresBlockStorage> OpenAsync(PostgresDatabase db, long capacity, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection c = await db.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        List<StoreRow> rows = [.. await c.QueryAsync<StoreRow>(new CommandDefinition(db.Queries.LoadStores, new { dataSet = db.DataSet }, cancellationToken: cancellationToken)).ConfigureAwait(false)];
        return new PostgresBlockStorage(
            db, capacity, [.. rows.Select(static r => new StoreInfo(r.StoreId, r.Capacity, r.Used))], rows.Where(static r => r.Freed > 0).ToDictionary(static r => r.StoreId, static r => r.Freed));
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
            _reported = StoreRelease.Report(_stores, _freed);
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
        ValueTask.FromResult(Volatile.Read(ref _reported));

    /// <summary>
    /// Deletes the blocks' rows and counts them freed, in one fenced commit. No row returns their bytes afterwards; the bytes of
    /// deleted rows may stay in the server's files until PostgreSQL reuses the space (see <see cref="IBlockStoreSession.ReclaimAsync"/>).
    /// </summary>
    public async ValueTask ReleaseBlocksAsync(IReadOnlyList<StoreIndex> blocks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        long[] storeIds = [.. blocks.Select(static b => b.StoreId)];
        long[] offsets = [.. blocks.Select(static b => b.Offset)];

        // Only the writer writes, so what is stored now is what the release below deletes.
        var released = new Dictionary<long, long>();
        await using (NpgsqlConnection c = await _db.OpenReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await using var command = new NpgsqlCommand(_db.Queries.StoredBlocks, c);
            command.Parameters.Add(new NpgsqlParameter<string>("dataSet", NpgsqlDbType.Text) { TypedValue = _db.DataSet });
            command.Parameters.Add(new NpgsqlParameter<long[]>("storeIds", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = storeIds });
            command.Parameters.Add(new NpgsqlParameter<long[]>("offsets", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = offsets });
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                long storeId = reader.GetInt64(0);
                released[storeId] = released.GetValueOrDefault(storeId) + reader.GetInt32(1);
            }
        }

        StoreReleasePlan plan = StoreRelease.Plan(Volatile.Read(ref _stores), _freed, released);
        await _db.WriteAsync(
            batch =>
            {
                NpgsqlBatchCommand delete = _db.Add(batch, _db.Queries.ReleaseBlockData);
                delete.Parameters.Add(new NpgsqlParameter<long[]>("storeIds", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = storeIds });
                delete.Parameters.Add(new NpgsqlParameter<long[]>("offsets", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = offsets });
                NpgsqlBatchCommand freed = _db.Add(batch, _db.Queries.SetFreed);
                freed.Parameters.Add(new NpgsqlParameter<long[]>("storeIds", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. plan.Updated.Select(static u => u.Key)] });
                freed.Parameters.Add(new NpgsqlParameter<long[]>("freed", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. plan.Updated.Select(static u => u.Value)] });
                NpgsqlBatchCommand drop = _db.Add(batch, _db.Queries.DeleteStores);
                drop.Parameters.Add(new NpgsqlParameter<long[]>("storeIds", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. plan.Dropped] });
            },
            relaxed: false,
            cancellationToken).ConfigureAwait(false);
        lock (_storesLock)
        {
            _stores = plan.Stores;
            _freed = plan.Freed;
            _reported = StoreRelease.Report(_stores, _freed);
        }
    }

    private sealed class StoreRow
    {
        public long StoreId { get; set; }

        public long Capacity { get; set; }

        public long Used { get; set; }

        public long Freed { get; set; }
    }
}
