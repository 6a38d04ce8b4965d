using BlockStore.Providers.Sqlite;
using BlockStore.Tests.Contract;
using Microsoft.Data.Sqlite;

namespace BlockStore.Tests.Providers.Sqlite;

/// <summary>The SQLite index: every lookup the engine makes is an index search, and a version 1 database is migrated to it.</summary>
public sealed class SqliteIndexTests() : StoreTestBase(new SqliteFixture())
{
    private string DatabasePath => Path.Combine(DataDir, "blockstore.db");

    public static TheoryData<string, string, string> Lookups => new()
    {
        { nameof(SqlQueries.GetTimeline), SqlQueries.GetTimeline, "SEARCH timelines USING PRIMARY KEY (kind=? AND id=?)" },
        { nameof(SqlQueries.BlocksBefore), SqlQueries.BlocksBefore, "SEARCH blocks USING PRIMARY KEY (kind=? AND timeline_id=? AND first_seq<?)" },
        { nameof(SqlQueries.BlocksAfter), SqlQueries.BlocksAfter, "SEARCH blocks USING INDEX blocks_by_last_seq (kind=? AND timeline_id=? AND last_seq>?)" },
        { nameof(SqlQueries.BlocksByTime), SqlQueries.BlocksByTime, "SEARCH blocks USING INDEX blocks_by_time (kind=? AND timeline_id=? AND last_ts>?)" },
    };

    [Theory]
    [MemberData(nameof(Lookups))]
    public async Task Each_index_lookup_is_one_search_without_a_scan_or_a_sort(string name, string sql, string expected)
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 2);
        for (int c = 0; c < 20; c++)
        {
            await AddManyAsync(store, $"c{c}", 9, Users($"u{c % 3}"));
        }

        await store.DisposeAsync();

        using SqliteConnection connection = Connect();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (string parameter in new[] { "@kind", "@before", "@after", "@from", "@to", "@limit" })
        {
            command.Parameters.AddWithValue(parameter, 1L);
        }

        command.Parameters.AddWithValue("@id", "c1");
        var plan = new List<string>();
        using (SqliteDataReader reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                plan.Add(reader.GetString(3));
            }
        }

        string text = string.Join(" | ", plan);
        Assert.True(plan.Count == 1 && plan[0].Replace(">=", ">", StringComparison.Ordinal) == expected, $"{name}: {text}");
        Assert.DoesNotContain("SCAN", text, StringComparison.Ordinal);
        Assert.DoesNotContain("TEMP B-TREE", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_version_1_database_is_migrated_with_its_totals()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 3);
        List<Message> sent = await AddManyAsync(store, "conv", 10, Users("u1", "u2"));
        await store.GetOrCreateUserTimelineAsync("idle");
        StoreStats before = await store.GetStatsAsync();
        await store.DisposeAsync();
        Execute("""
            DROP INDEX blocks_by_last_seq;
            DROP INDEX blocks_by_time;
            ALTER TABLE timelines DROP COLUMN blocks;
            ALTER TABLE timelines DROP COLUMN entries;
            ALTER TABLE timelines DROP COLUMN last_seq;
            ALTER TABLE stores DROP COLUMN freed;
            DELETE FROM meta WHERE key <> 'schema_version';
            UPDATE meta SET value = 1 WHERE key = 'schema_version';
            """);

        store = await OpenAsync();
        StoreStats after = await store.GetStatsAsync();

        Assert.Equal((before.Messages, before.ConvTimelines, before.UserTimelines, before.LastSeqId), (after.Messages, after.ConvTimelines, after.UserTimelines, after.LastSeqId));
        AssertSameMessages(sent, await store.GetConvMessagesAsync("conv", 100));
        AssertSameMessages(sent[^4..], await store.GetUserMessagesAsync("u2", sent[^5].SeqId, 100));
        TimelineInfo info = await store.GetOrCreateConvTimelineAsync("conv");
        Assert.Equal((sent[^1].SeqId, 10L, 4), (info.LastSeqId, info.MessageCount, info.SealedBlockCount));
        Assert.True((await store.AddMessageAsync("conv", 1, Bytes("next"), [])).SeqId > sent[^1].SeqId);
        await store.DisposeAsync();
        Assert.Equal(SqlQueries.SchemaVersion, Scalar("SELECT value FROM meta WHERE key = 'schema_version'"));
    }

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private void Execute(string sql)
    {
        using SqliteConnection connection = Connect();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private long Scalar(string sql)
    {
        using SqliteConnection connection = Connect();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
