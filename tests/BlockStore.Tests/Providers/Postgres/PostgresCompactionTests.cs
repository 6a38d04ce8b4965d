using BlockStore.Providers;
using BlockStore.Providers.Postgres;
using BlockStore.Tests.Contract;
using Npgsql;
using NpgsqlTypes;

namespace BlockStore.Tests.Providers.Postgres;

/// <summary>The compaction primitives on PostgreSQL, and proof that each of their deletes and look-ups reads through an index.</summary>
public sealed class PostgresCompactionTests() : SqlCompactionPrimitiveTests(new PostgresFixture())
{
    private const int Rows = 100_000;

    private PostgresFixture Postgres => (PostgresFixture)Fixture;

    public static TheoryData<string, string> Statements => new()
    {
        { nameof(PostgresQueries.RecordedBlocks), "blocks_pkey" },
        { nameof(PostgresQueries.DeleteBlocks), "blocks_pkey" },
        { nameof(PostgresQueries.DeleteTimeline), "timelines_pkey" },
        { nameof(PostgresQueries.DeleteTimelineBlocks), "blocks_" },
        { nameof(PostgresQueries.StoredBlocks), "block_data_pkey" },
        { nameof(PostgresQueries.ReleaseBlockData), "block_data_pkey" },
        { nameof(PostgresQueries.DeleteCheckpoint), "checkpoints_pkey" },
    };

    [SkippableFact]
    public async Task A_version_1_schema_is_migrated_to_count_the_freed_bytes_of_its_stores()
    {
        IBlockStoreSession session = await OpenSessionAsync(capacity: 1000);
        BlockInfo[] blocks = await SealAsync(session, new TimelineKey(TimelineKind.Conversation, "c"), 400, (1, 1), (2, 2));
        await session.DisposeAsync();
        Postgres.Execute($"ALTER TABLE {Postgres.Schema}.stores DROP COLUMN freed; UPDATE {Postgres.Schema}.schema_version SET version = 1");

        session = await OpenSessionAsync(capacity: 1000);
        Assert.Equal([new StoreInfo(1, 1000, 800)], await session.Blocks.GetStoresAsync());
        await session.Blocks.ReleaseBlocksAsync([blocks[0].Location]);
        Assert.Equal([new StoreInfo(1, 1000, 400)], await session.Blocks.GetStoresAsync());
        await session.DisposeAsync();

        await using var connection = new NpgsqlConnection(PostgresFixture.ConnectionString);
        await connection.OpenAsync();
        await using var version = new NpgsqlCommand($"SELECT version FROM {Postgres.Schema}.schema_version", connection);
        Assert.Equal(PostgresQueries.SchemaVersion, (int)(await version.ExecuteScalarAsync())!);
        session = await OpenSessionAsync(capacity: 1000);
        Assert.Equal([new StoreInfo(1, 1000, 400)], await session.Blocks.GetStoresAsync());
        await session.DisposeAsync();
    }

    /// <summary>
    /// On tables of realistic size (100,000 blocks in 1,000 timelines, as many block rows and checkpoints) with fresh statistics,
    /// each statement compaction and erasure run finds its rows through an index (an index named <c>blocks_</c>... may be the
    /// primary key or a secondary index of the blocks), never by a sequential or bitmap scan of the table.
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(Statements))]
    public async Task Each_compaction_statement_reads_through_an_index(string name, string index)
    {
        await (await OpenSessionAsync()).DisposeAsync();
        string schema = Postgres.Schema;
        Postgres.Execute($"""
            INSERT INTO {schema}.timelines (data_set, kind, id, blocks, entries, last_seq)
            SELECT 'default', 1, 'c' || t, 100, 1000, 100000 + t FROM generate_series(0, 999) t;
            INSERT INTO {schema}.blocks
            SELECT 'default', 1, 'c' || (i % 1000), i, i, i, i, 10, i / 1000, i % 1000, 100, 0 FROM generate_series(0, {Rows - 1}) i;
            INSERT INTO {schema}.block_data SELECT 'default', i / 1000, i % 1000, '\x00'::bytea FROM generate_series(0, {Rows - 1}) i;
            INSERT INTO {schema}.checkpoints SELECT 'default', 'u' || i, i FROM generate_series(0, {Rows - 1}) i;
            ANALYZE {schema}.timelines;
            ANALYZE {schema}.blocks;
            ANALYZE {schema}.block_data;
            ANALYZE {schema}.checkpoints;
            """);
        string sql = (string)typeof(PostgresQueries).GetProperty(name)!.GetValue(new PostgresQueries(schema))!;

        long[] keys = [1001, 2001, 3001];
        List<string> plan = await PostgresFixture.ExplainAsync(
            sql,
            new NpgsqlParameter<string>("dataSet", NpgsqlDbType.Text) { TypedValue = "default" },
            new NpgsqlParameter<short>("kind", NpgsqlDbType.Smallint) { TypedValue = 1 },
            new NpgsqlParameter<string>("id", NpgsqlDbType.Text) { TypedValue = "c1" },
            new NpgsqlParameter<string>("userId", NpgsqlDbType.Text) { TypedValue = "u1" },
            new NpgsqlParameter<long[]>("firstSeqs", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = keys },
            new NpgsqlParameter<long[]>("storeIds", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = keys },
            new NpgsqlParameter<long[]>("offsets", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = keys });

        string text = string.Join(" | ", plan);
        Assert.True(text.Contains($"Index Scan using {index}", StringComparison.Ordinal) || text.Contains($"Index Only Scan using {index}", StringComparison.Ordinal), $"{name}: {text}");
        Assert.DoesNotContain("Seq Scan", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Bitmap", text, StringComparison.Ordinal);
    }
}
