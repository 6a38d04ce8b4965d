using Microsoft.Extensions.Options;
using BlockStore.Providers;
using BlockStore.Providers.Sqlite;
using BlockStore.Tests.Contract;
using Dapper;
using Microsoft.Data.Sqlite;

namespace BlockStore.Tests.Providers.Sqlite;

/// <summary>What only the SQLite provider promises: schema versioning, connection strings, damage inside the database.</summary>
public sealed class SqliteProviderTests() : StoreTestBase(new SqliteFixture())
{
    private string DatabasePath => SqliteFixture.DatabasePath(DataDir);

    [Fact]
    public async Task A_database_with_a_newer_schema_is_refused_with_a_clear_message()
    {
        MessageStore store = await OpenAsync();
        await store.AddMessageAsync("c", 1, Bytes("x"), []);
        await store.DisposeAsync();
        using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            connection.Execute(SqlQueries.SetSchemaVersion, new { Version = 99 });
        }

        var error = await Assert.ThrowsAsync<BlockStoreException>(() => MessageStore.OpenAsync(CreateOptions(), Fixture.CreateProvider()));

        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Journal_churn_leaves_no_free_pages_in_a_closed_database()
    {
        static void Churn(BlockStoreOptions o)
        {
            o.JournalMaxBytes = 16 * 1024;
            o.TimelineMaxSize = 1000;
        }

        MessageStore store = await OpenAsync(Churn);
        for (int i = 0; i < 40; i++)
        {
            await store.AddMessagesAsync([.. Enumerable.Range(0, 50).Select(m => new NewMessage($"c{m % 7}", 1, new byte[300], Users($"u{m % 11}", "v")))]);
        }

        await store.DisposeAsync();

        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        Assert.Equal(SqlQueries.IncrementalAutoVacuum, connection.ExecuteScalar<long>(SqlQueries.GetAutoVacuum));
        Assert.Equal(0, connection.ExecuteScalar<long>(SqlQueries.FreePages));
        Assert.Equal(0, connection.ExecuteScalar<long>("SELECT count(*) FROM journal"));
    }

    [Fact]
    public async Task A_database_created_without_incremental_vacuum_is_migrated_on_open()
    {
        MessageStore store = await OpenAsync();
        List<Message> sent = await AddManyAsync(store, "c", 10, Users("u"));
        await store.DisposeAsync();
        using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            connection.Execute("PRAGMA auto_vacuum=NONE; VACUUM;");
            Assert.Equal(0, connection.ExecuteScalar<long>(SqlQueries.GetAutoVacuum));
        }

        store = await OpenAsync();
        AssertSameMessages(sent, await store.GetConvMessagesAsync("c", 100));
        await store.DisposeAsync();

        using var reopened = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        Assert.Equal(SqlQueries.IncrementalAutoVacuum, reopened.ExecuteScalar<long>(SqlQueries.GetAutoVacuum));
    }

    [Theory]
    [InlineData("", 1024, "BlockStore:Sqlite:FileName")]
    [InlineData("../outside.db", 1024, "BlockStore:Sqlite:FileName")]
    [InlineData("blockstore.db", -1, "BlockStore:Sqlite:PageCacheKib must be between 0 and 4194304")]
    public async Task Invalid_sqlite_settings_are_refused_naming_the_key(string fileName, int pageCacheKib, string expected)
    {
        var provider = new SqliteBlockStoreProvider(new SqliteBlockStoreOptions { FileName = fileName, PageCacheKib = pageCacheKib });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => MessageStore.OpenAsync(CreateOptions(), provider));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(DataDir));
        Assert.False(File.Exists(Path.Combine(Root, "outside.db")));
    }

    [Fact]
    public async Task A_connection_string_places_the_database_and_its_DataDir_lock_beside_it()
    {
        string path = Path.Combine(DataDir, "elsewhere", "chat.sqlite");
        var provider = new SqliteBlockStoreProvider(new SqliteBlockStoreOptions { ConnectionString = $"Data Source={path}" });
        MessageStore store = await OpenAsync(provider: provider);
        await store.AddMessageAsync("c", 1, Bytes("x"), []);

        Assert.True(File.Exists(path));
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(path)!, "blockstore.lock")));
        await Assert.ThrowsAsync<StoreLockedException>(() => MessageStore.OpenAsync(CreateOptions(), new SqliteBlockStoreProvider(new SqliteBlockStoreOptions { ConnectionString = $"Data Source={path}" })));
    }

    [Fact]
    public async Task An_instance_of_an_earlier_version_holding_the_lock_beside_the_database_keeps_the_data_set()
    {
        MessageStore store = await OpenAsync();
        await store.DisposeAsync();
        using var earlier = new FileStream(DatabasePath + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

        await Assert.ThrowsAsync<StoreLockedException>(() => MessageStore.OpenAsync(CreateOptions(), Fixture.CreateProvider()));
    }

    [Fact]
    public async Task A_read_after_the_data_set_closed_is_refused_not_served_by_an_unlocked_connection()
    {
        IBlockStoreSession session = await Fixture.CreateProvider().OpenAsync(CreateOptions());
        await session.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => session.Checkpoints.GetAsync("u").AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => session.Blocks.ReadBlockAsync(new StoreIndex(1, 64, 10, DateTimeOffset.UnixEpoch), new byte[10]).AsTask());
    }

    [Fact]
    public void Idle_pooled_readers_are_bounded_after_a_burst_of_reads()
    {
        Directory.CreateDirectory(DataDir);
        using var db = new SqliteDatabase($"Data Source={DatabasePath};Pooling=False", Durability.Normal, 1024);
        var readers = new List<SqliteReader>();
        for (int i = 0; i < SqliteDatabase.MaxIdleReaders * 4; i++)
        {
            readers.Add(db.RentReader());
        }

        foreach (SqliteReader reader in readers)
        {
            db.ReturnReader(reader);
        }

        Assert.Equal(SqliteDatabase.MaxIdleReaders, db.IdleReaders);
    }

    [Fact]
    public async Task A_damaged_block_blob_is_reported_and_other_timelines_stay_readable()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 4);
        await AddManyAsync(store, "victim", 8);
        List<Message> other = await AddManyAsync(store, "bystander", 8);
        await store.DisposeAsync();
        (long storeId, long offset) = Scalar2("SELECT store_id, offset FROM blocks WHERE timeline_id = 'victim' ORDER BY first_seq LIMIT 1");
        Fixture.DamageBlock(DataDir, new StoreIndex(storeId, offset, 0, default), 20, 0xFF);

        store = await OpenAsync(o => o.TimelineMaxSize = 4);

        var error = await Assert.ThrowsAsync<CorruptBlockException>(() => store.GetConvMessagesAsync("victim", 100));
        Assert.Equal(storeId, error.StoreId);
        Assert.Equal(offset, error.Offset);
        AssertSameMessages(other, await store.GetConvMessagesAsync("bystander", 100));
        Assert.Equal(4, (await store.GetConvMessagesAsync("victim", 4)).Count);
    }

    [Fact]
    public async Task A_missing_block_blob_is_reported_not_returned()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 2);
        await AddManyAsync(store, "c", 4);
        await store.DisposeAsync();
        Execute("DELETE FROM block_data WHERE key = (SELECT min(key) FROM block_data)");

        store = await OpenAsync(o => o.TimelineMaxSize = 2);

        await Assert.ThrowsAsync<CorruptBlockException>(() => store.GetConvMessagesAsync("c", 100));
    }

    [Theory]
    [InlineData("CAST(substr(data, 1, 20) || (CASE WHEN substr(data, 21, 1) = X'00' THEN X'01' ELSE X'00' END) || substr(data, 22) AS BLOB)")]
    [InlineData("'not a record'")]
    public async Task A_damaged_journal_row_fails_the_open_with_a_clear_error_naming_the_record(string damagedData)
    {
        var faulty = new FaultyProvider(Fixture.CreateProvider()) { FailBlockWrites = true };
        MessageStore store = await OpenAsync(provider: faulty);
        await AddManyAsync(store, "c", 5, Users("u"));
        await store.DisposeAsync();
        Execute($"UPDATE journal SET data = {damagedData} WHERE id = (SELECT min(id) FROM journal)");

        var error = await Assert.ThrowsAsync<BlockStoreException>(() => MessageStore.OpenAsync(CreateOptions(), Fixture.CreateProvider()));

        Assert.Contains("Journal record 1 is damaged", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_damaged_checkpoint_is_reported_not_returned()
    {
        MessageStore store = await OpenAsync();
        List<Message> sent = await AddManyAsync(store, "c", 5, Users("u"));
        await store.UpdateUserCheckpointAsync("u", sent[2].SeqId);
        await store.DisposeAsync();
        Execute("UPDATE checkpoints SET seq = -987654 WHERE user_id = 'u'");

        store = await OpenAsync();

        await Assert.ThrowsAsync<BlockStoreException>(() => store.GetUserCheckpointAsync("u"));
        await Assert.ThrowsAsync<BlockStoreException>(() => store.GetMessagesAfterCheckpointAsync("u"));
        AssertSameMessages(sent, await store.GetUserMessagesAsync("u", 0, 10));
    }

    [Fact]
    public async Task MaxBlockBytes_beyond_SQLites_blob_limit_is_refused_at_start_naming_the_key()
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => OpenAsync(o =>
        {
            o.MaxCapacity = 4L << 30;
            o.MaxBlockBytes = 1 << 30;
        }));

        Assert.Contains("BlockStore:MaxBlockBytes (1073741824)", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(DatabasePath));
    }

    [Theory]
    [InlineData("size = size - 1")]
    [InlineData("offset = offset + 1")]
    [InlineData("offset = (SELECT offset FROM blocks WHERE timeline_id = 'bystander' ORDER BY first_seq LIMIT 1)")]
    [InlineData("count = count + 1")]
    [InlineData("first_seq = first_seq + 1")]
    public async Task Damaged_block_metadata_is_reported_not_returned(string damage)
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 4);
        await AddManyAsync(store, "victim", 8);
        List<Message> other = await AddManyAsync(store, "bystander", 8);
        await store.DisposeAsync();
        Execute($"UPDATE blocks SET {damage} WHERE timeline_id = 'victim' AND first_seq = (SELECT min(first_seq) FROM blocks WHERE timeline_id = 'victim')");

        store = await OpenAsync(o => o.TimelineMaxSize = 4);

        await Assert.ThrowsAsync<CorruptBlockException>(() => store.GetConvMessagesAsync("victim", 100));
        AssertSameMessages(other, await store.GetConvMessagesAsync("bystander", 100));
        Assert.False((await store.VerifyAsync()).IsHealthy);
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private (long, long) Scalar2(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        using SqliteDataReader reader = command.ExecuteReader();
        Assert.True(reader.Read());
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
