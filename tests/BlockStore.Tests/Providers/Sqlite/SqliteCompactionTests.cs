using System.Text.RegularExpressions;
using BlockStore.Providers;
using BlockStore.Providers.Sqlite;
using BlockStore.Tests.Contract;
using Dapper;
using Microsoft.Data.Sqlite;

namespace BlockStore.Tests.Providers.Sqlite;

/// <summary>
/// The compaction primitives on SQLite, plus what only SQLite promises: after <see cref="IBlockStoreSession.ReclaimAsync"/> no
/// file of the data set holds a byte of a released block or a trimmed journal record, every delete is an index search, and a
/// version 2 database is migrated.
/// </summary>
public sealed partial class SqliteCompactionTests() : SqlCompactionPrimitiveTests(new SqliteFixture())
{
    private static readonly TimelineKey Secret = new(TimelineKind.Conversation, "secret");

    private string DatabasePath => SqliteFixture.DatabasePath(DataDir);

    public static TheoryData<string, string, string> Deletes => new()
    {
        { nameof(SqlQueries.DeleteBlock), SqlQueries.DeleteBlock, "SEARCH blocks USING PRIMARY KEY (kind=? AND timeline_id=? AND first_seq=?)" },
        { nameof(SqlQueries.DeleteTimelineBlocks), SqlQueries.DeleteTimelineBlocks, "SEARCH blocks USING PRIMARY KEY (kind=? AND timeline_id=?)" },
        { nameof(SqlQueries.DeleteTimeline), SqlQueries.DeleteTimeline, "SEARCH timelines USING PRIMARY KEY (kind=? AND id=?)" },
        { nameof(SqlQueries.ReleaseBlockData), SqlQueries.ReleaseBlockData, "SEARCH block_data USING INTEGER PRIMARY KEY (rowid=?)" },
        { nameof(SqlQueries.SetFreed), SqlQueries.SetFreed, "SEARCH stores USING INTEGER PRIMARY KEY (rowid=?)" },
        { nameof(SqlQueries.DeleteStore), SqlQueries.DeleteStore, "SEARCH stores USING INTEGER PRIMARY KEY (rowid=?)" },
        { nameof(SqlQueries.DeleteCheckpoint), SqlQueries.DeleteCheckpoint, "SEARCH checkpoints USING PRIMARY KEY (user_id=?)" },
    };

    [Fact]
    public async Task After_reclaiming_no_file_of_the_data_set_holds_a_released_block_or_a_trimmed_journal_record()
    {
        byte[] marker = Bytes($"FORGET-{Guid.NewGuid():N}");
        IBlockStoreSession session = await OpenSessionAsync();
        BlockInfo[] live = await SealAsync(session, new TimelineKey(TimelineKind.Conversation, "live"), 5000, (1, 10));

        // Journal records inside a page and spilling into overflow pages, then blocks of both kinds, all holding the marker;
        // the commit that records the blocks trims the records.
        await session.Timelines.AppendJournalAsync(11, Filled(marker, 300));
        await session.Timelines.AppendJournalAsync(12, Filled(marker, 20_000));
        IReadOnlyList<StoreIndex> locations = await session.Blocks.WriteBlocksAsync([Filled(marker, 200), Filled(marker, 30_000)]);
        BlockInfo[] secret =
        [
            new(Secret.Kind, Secret.Id, 11, 11, 11, 11, 1, locations[0]),
            new(Secret.Kind, Secret.Id, 12, 12, 12, 12, 1, locations[1]),
        ];
        await session.Timelines.CommitBlocksAsync(secret, 13);
        Assert.Empty(await session.Timelines.ReadJournalAsync().ToListAsync());
        Assert.NotEmpty(FilesHolding(marker));

        await session.Timelines.ReplaceBlocksAsync(Secret, secret, []);
        await session.Blocks.ReleaseBlocksAsync([.. secret.Select(static b => b.Location)]);
        await session.ReclaimAsync();

        Assert.Empty(FilesHolding(marker));
        Assert.Equal(0, new FileInfo(DatabasePath + "-wal").Length);
        var bytes = new byte[live[0].Location.Size];
        await session.Blocks.ReadBlockAsync(live[0].Location, bytes);
        Assert.Equal(Content(live[0]), bytes);
        await session.DisposeAsync();
        Assert.Empty(FilesHolding(marker, open: false));
        using SqliteConnection connection = Connect();
        Assert.Equal(0, connection.ExecuteScalar<long>(SqlQueries.FreePages));
    }

    [Theory]
    [MemberData(nameof(Deletes))]
    public async Task Each_delete_finds_its_rows_by_an_index_search(string name, string sql, string expected)
    {
        IBlockStoreSession session = await OpenSessionAsync();
        await SealAsync(session, Secret, 64, (1, 1), (2, 2));
        await session.DisposeAsync();

        using SqliteConnection connection = Connect();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (string parameter in ParameterPattern().Matches(sql).Select(static m => m.Value).Distinct(StringComparer.Ordinal))
        {
            command.Parameters.AddWithValue(parameter, 1L);
        }

        var plan = new List<string>();
        using (SqliteDataReader reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                plan.Add(reader.GetString(3));
            }
        }

        Assert.True(plan.Count == 1 && plan[0] == expected, $"{name}: {string.Join(" | ", plan)}");
    }

    [Fact]
    public async Task A_version_2_database_is_migrated_to_count_freed_bytes_and_to_give_free_pages_back()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 3);
        List<Message> sent = await AddManyAsync(store, "conv", 10, Users("u"));
        await store.DisposeAsync();
        using (SqliteConnection connection = Connect())
        {
            connection.Execute("ALTER TABLE stores DROP COLUMN freed; UPDATE meta SET value = 2 WHERE key = 'schema_version'; PRAGMA auto_vacuum=NONE; VACUUM;");
            Assert.Equal(0, connection.ExecuteScalar<long>(SqlQueries.GetAutoVacuum));
        }

        File.WriteAllText(Path.Combine(DataDir, "blockstore.format"), "provider=Sqlite\nformat=2\n");

        store = await OpenAsync();
        AssertSameMessages(sent, await store.GetConvMessagesAsync("conv", 100));
        await store.DisposeAsync();

        using (SqliteConnection connection = Connect())
        {
            Assert.Equal(SqlQueries.SchemaVersion, connection.ExecuteScalar<long>(SqlQueries.GetSchemaVersion));
            Assert.Equal(SqlQueries.IncrementalAutoVacuum, connection.ExecuteScalar<long>(SqlQueries.GetAutoVacuum));
            Assert.Equal(0, connection.ExecuteScalar<long>("SELECT sum(freed) FROM stores"));
        }

        Assert.Contains("format=3", File.ReadAllText(Path.Combine(DataDir, "blockstore.format")), StringComparison.Ordinal);
        IBlockStoreSession session = await OpenSessionAsync();
        TimelineMetadata conv = (await session.Timelines.GetTimelineAsync(new TimelineKey(TimelineKind.Conversation, "conv"), 1))!;
        StoreInfo before = (await session.Blocks.GetStoresAsync())[0];
        await session.Blocks.ReleaseBlocksAsync([conv.NewestBlocks[0].Location]);
        Assert.Equal(before.UsedBytes - conv.NewestBlocks[0].Location.Size, (await session.Blocks.GetStoresAsync())[0].UsedBytes);
        await session.DisposeAsync();
    }

    [GeneratedRegex("@[A-Za-z]+")]
    private static partial Regex ParameterPattern();

    private static byte[] Filled(byte[] marker, int size)
    {
        var bytes = new byte[size];
        for (int i = 0; i < size; i++)
        {
            bytes[i] = marker[i % marker.Length];
        }

        return bytes;
    }

    /// <summary>
    /// The files under DataDir that hold <paramref name="marker"/> anywhere, read while SQLite may hold them open. While the data set
    /// is open its lock file is held exclusively and cannot be read; it is scanned once the data set is closed.
    /// </summary>
    private List<string> FilesHolding(byte[] marker, bool open = true)
    {
        var found = new List<string>();
        foreach (string path in Directory.EnumerateFiles(DataDir, "*", SearchOption.AllDirectories))
        {
            if (open && Path.GetFileName(path) == "blockstore.lock")
            {
                continue;
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            if (bytes.AsSpan().IndexOf(marker) >= 0)
            {
                found.Add(Path.GetFileName(path));
            }
        }

        return found;
    }

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        return connection;
    }
}
