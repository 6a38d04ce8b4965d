using BlockStore.Providers.Postgres;
using BlockStore.Tests.Contract;
using Npgsql;
using NpgsqlTypes;

namespace BlockStore.Tests.Providers.Postgres;

/// <summary>The PostgreSQL index: every lookup the engine makes on a timeline is served by an index, never by a table scan.</summary>
public sealed class PostgresIndexTests() : StoreTestBase(new PostgresFixture())
{
    private PostgresFixture Postgres => (PostgresFixture)Fixture;

    private const int BlocksPerTimeline = 100;
    private const long Epoch = 1_700_000_000_000;

    public static TheoryData<string, string> Lookups => new()
    {
        { nameof(PostgresQueries.GetTimeline), "blocks_pkey" },
        { nameof(PostgresQueries.BlocksBefore), "blocks_pkey" },
        { nameof(PostgresQueries.BlocksAfter), "blocks_by_last_seq" },
        { nameof(PostgresQueries.BlocksByTime), "blocks_by_time" },
    };

    /// <summary>
    /// On a blocks table of realistic size (100 blocks in each of 1,000 timelines) with fresh statistics and the arguments the
    /// engine passes, each lookup reads the blocks through its index, in the order it returns them, so no sort of the blocks
    /// is needed; a lookup without a usable index would show a sequential or bitmap scan and a sort. Only <c>GetTimeline</c>
    /// sorts: the at most <c>limit</c> newest blocks it has already read through the index, back into ascending order.
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(Lookups))]
    public async Task Each_timeline_lookup_reads_through_its_index(string name, string index)
    {
        await (await OpenAsync()).DisposeAsync();
        Postgres.Execute($"""
            INSERT INTO {Postgres.Schema}.timelines (data_set, kind, id, blocks, entries, last_seq)
            SELECT 'default', 0, 'c' || t, {BlocksPerTimeline}, {BlocksPerTimeline} * 10, {BlocksPerTimeline} * 1000 + t FROM generate_series(0, 999) t;
            INSERT INTO {Postgres.Schema}.blocks
            SELECT 'default', 0, 'c' || (i % 1000), i, i + 999, {Epoch} + i, {Epoch} + i + 999, 10, i / 1000, i % 1000, 100, 0
            FROM generate_series(0, {BlocksPerTimeline * 1000 - 1}) i;
            ANALYZE {Postgres.Schema}.timelines;
            ANALYZE {Postgres.Schema}.blocks;
            """);
        var queries = new PostgresQueries(Postgres.Schema);
        string sql = (string)typeof(PostgresQueries).GetProperty(name)!.GetValue(queries)!;

        List<string> plan = await ExplainAsync(sql);

        string text = string.Join(" | ", plan);
        Assert.True(text.Contains($"Index Scan using {index} ", StringComparison.Ordinal) || text.Contains($"Index Scan Backward using {index} ", StringComparison.Ordinal), $"{name}: {text}");
        Assert.DoesNotContain("Seq Scan", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Bitmap", text, StringComparison.Ordinal);
        int sorts = plan.Count(static line => line.TrimStart(' ', '-', '>').StartsWith("Sort  (", StringComparison.Ordinal));
        Assert.True(sorts == (name == nameof(PostgresQueries.GetTimeline) ? 1 : 0), $"{name}: {text}");
    }

    private static Task<List<string>> ExplainAsync(string sql)
    {
        long middle = BlocksPerTimeline * 1000 / 2;
        return PostgresFixture.ExplainAsync(
            sql,
            new NpgsqlParameter<string>("dataSet", NpgsqlDbType.Text) { TypedValue = "default" },
            new NpgsqlParameter<short>("kind", NpgsqlDbType.Smallint) { TypedValue = 0 },
            new NpgsqlParameter<string>("id", NpgsqlDbType.Text) { TypedValue = "c1" },
            new NpgsqlParameter<int>("limit", NpgsqlDbType.Integer) { TypedValue = 4 },
            new NpgsqlParameter<long>("after", NpgsqlDbType.Bigint) { TypedValue = middle },
            new NpgsqlParameter<long>("before", NpgsqlDbType.Bigint) { TypedValue = long.MaxValue },
            new NpgsqlParameter<long>("from", NpgsqlDbType.Bigint) { TypedValue = Epoch + middle },
            new NpgsqlParameter<long>("to", NpgsqlDbType.Bigint) { TypedValue = Epoch + middle + 50_000 });
    }
}
