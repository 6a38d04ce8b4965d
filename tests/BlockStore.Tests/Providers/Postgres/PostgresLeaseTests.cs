using System.Diagnostics;
using System.Globalization;
using BlockStore.CrashChild;
using BlockStore.Providers;
using BlockStore.Providers.Postgres;
using BlockStore.Tests.Contract;
using BlockStore.Tests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace BlockStore.Tests.Providers.Postgres;

/// <summary>Ownership across machines: the database refuses a deposed owner's writes, and a dead owner is taken over without loss.</summary>
public sealed class PostgresLeaseTests(ITestOutputHelper output) : StoreTestBase(new PostgresFixture())
{
    private PostgresFixture Postgres => (PostgresFixture)Fixture;

    [SkippableFact]
    public async Task A_deposed_owners_journal_append_and_block_commit_are_refused_by_the_database()
    {
        // The first owner never renews during the test, as if paused; its lease then lapses by the database's clock.
        var paused = new PostgresBlockStoreProvider(Postgres.Options(o => (o.LeaseDuration, o.LeaseRenewInterval) = (TimeSpan.FromHours(1), TimeSpan.FromMinutes(30))));
        IBlockStoreSession deposed = await paused.OpenAsync(CreateOptions());
        Postgres.Execute($"UPDATE {Postgres.Schema}.leases SET expires_at = now() - interval '1 second'");
        MessageStore successor = await OpenAsync(o => o.LockWaitTimeout = TimeSpan.FromSeconds(10));
        Message kept = await successor.AddMessageAsync("c", 1, Bytes("successor"), ["u"]);

        var append = await Assert.ThrowsAsync<StoreLockedException>(() => deposed.Timelines.AppendJournalAsync(1_000_000, new byte[] { 2 }).AsTask());
        await Assert.ThrowsAsync<StoreLockedException>(() => deposed.Blocks.WriteBlocksAsync([new byte[] { 3 }]).AsTask());
        var block = new BlockInfo(TimelineKind.Conversation, "c", 1_000_000, 1_000_000, 0, 0, 1, new StoreIndex(1, 0, 1, DateTimeOffset.UnixEpoch));
        var commit = await Assert.ThrowsAsync<StoreLockedException>(() => deposed.Timelines.CommitBlocksAsync([block], 0).AsTask());
        await Assert.ThrowsAsync<StoreLockedException>(() => deposed.Checkpoints.SaveAsync([new("u", kept.SeqId)]).AsTask());

        foreach (StoreLockedException refused in new[] { append, commit })
        {
            var cause = Assert.IsType<PostgresException>(refused.InnerException?.InnerException);
            Assert.Equal("BS001", cause.SqlState);
        }

        Assert.Equal(0L, Scalar($"SELECT count(*) FROM {Postgres.Schema}.journal WHERE id = 1000000"));
        Assert.Equal(0L, Scalar($"SELECT count(*) FROM {Postgres.Schema}.blocks WHERE first_seq = 1000000"));
        Assert.Equal(0L, Scalar($"SELECT count(*) FROM {Postgres.Schema}.block_data WHERE length(data) = 1"));
        Assert.Equal(0L, await successor.GetUserCheckpointAsync("u"));
        AssertSameMessages([kept], await successor.GetConvMessagesAsync("c", 10));
        await deposed.DisposeAsync();
        Assert.True((await successor.AddMessageAsync("c", 1, Bytes("still the owner"), [])).SeqId > kept.SeqId);
    }

    [SkippableFact]
    public async Task The_storage_check_renews_the_lease_and_reports_a_deposed_owner()
    {
        var paused = new PostgresBlockStoreProvider(Postgres.Options(o => (o.LeaseDuration, o.LeaseRenewInterval) = (TimeSpan.FromHours(1), TimeSpan.FromMinutes(30))));
        await using MessageStore owner = await MessageStore.OpenAsync(CreateOptions(), paused);
        Postgres.Execute($"UPDATE {Postgres.Schema}.leases SET expires_at = now() + interval '1 second'");
        await owner.CheckStorageAsync(CancellationToken.None);
        Assert.True(Scalar($"SELECT count(*) FROM {Postgres.Schema}.leases WHERE expires_at > now() + interval '30 minutes'") == 1, "the check did not renew the lease");

        Postgres.Execute($"UPDATE {Postgres.Schema}.leases SET expires_at = now() - interval '1 second'");
        await using MessageStore successor = await OpenAsync(o => o.LockWaitTimeout = TimeSpan.FromSeconds(10));

        var deposed = await Assert.ThrowsAsync<StoreLockedException>(() => owner.CheckStorageAsync(CancellationToken.None));
        Assert.Contains("lost its lease", deposed.InnerException?.Message, StringComparison.Ordinal);
        await successor.CheckStorageAsync(CancellationToken.None);
    }

    [SkippableFact]
    public async Task Many_data_sets_share_one_schema_each_with_its_own_owner()
    {
        MessageStore tenantA = await OpenAsync(o => o.DataSet = "tenant-a");
        MessageStore tenantB = await OpenAsync(o => o.DataSet = "tenant-b");
        Message a = await tenantA.AddMessageAsync("c", 1, Bytes("a"), ["u"]);
        Message b = await tenantB.AddMessageAsync("c", 2, Bytes("b"), ["u"]);

        AssertSameMessages([a], await tenantA.GetConvMessagesAsync("c", 10));
        AssertSameMessages([b], await tenantB.GetConvMessagesAsync("c", 10));
        await Assert.ThrowsAsync<StoreLockedException>(() => MessageStore.OpenAsync(CreateOptions(o => o.DataSet = "tenant-a"), Fixture.CreateProvider()));
    }

    [SkippableFact]
    public async Task A_schema_newer_than_the_library_is_refused_with_a_clear_message()
    {
        await (await OpenAsync()).DisposeAsync();
        Postgres.Execute($"UPDATE {Postgres.Schema}.schema_version SET version = 99");

        var error = await Assert.ThrowsAsync<BlockStoreException>(() => MessageStore.OpenAsync(CreateOptions(), Fixture.CreateProvider()));

        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Takeover_after_kill_9_of_the_owner_loses_nothing_acknowledged_and_takes_under_10_seconds()
    {
        using var owner = CrashChildProcess.Start(Fixture, Durability.Full, DataDir, round: 0, writers: 4);
        await owner.WaitForAsync(static lines => lines.Count(static l => l.StartsWith("A ", StringComparison.Ordinal)) >= 50);
        List<string> lines = await owner.KillAsync();
        var watch = Stopwatch.StartNew();

        BlockStoreOptions options = CrashWorkload.Options(DataDir, Durability.Full);
        options.LockWaitTimeout = TimeSpan.FromSeconds(30);
        await using MessageStore successor = await MessageStore.OpenAsync(options, Fixture.CreateProvider());
        TimeSpan takeover = watch.Elapsed;

        output.WriteLine($"takeover after kill -9: {takeover.TotalSeconds:F2} s with default lease settings");
        Assert.True(takeover < TimeSpan.FromSeconds(10), $"takeover took {takeover}");
        List<long> acknowledged = owner.Acknowledged;
        var stored = new HashSet<long>();
        for (int c = 0; c < 5; c++)
        {
            stored.UnionWith((await successor.GetConvMessagesAsync($"conv-{c}", int.MaxValue)).Select(m => m.SeqId));
        }

        Assert.All(acknowledged, seq => Assert.Contains(seq, stored));
        foreach (string line in lines.Where(l => l.StartsWith("C ", StringComparison.Ordinal)))
        {
            string[] parts = line.Split(' ');
            Assert.True(await successor.GetUserCheckpointAsync(parts[1]) >= long.Parse(parts[2], CultureInfo.InvariantCulture), line);
        }

        Assert.True((await successor.AddMessageAsync("after", 0, Bytes("next"), [])).SeqId > acknowledged.Max());
    }

    [SkippableFact]
    public async Task Two_processes_racing_to_open_the_same_data_set_never_both_write()
    {
        using var first = CrashChildProcess.Start(Fixture, Durability.Full, DataDir, round: 0, writers: 4);
        using var second = CrashChildProcess.Start(Fixture, Durability.Full, DataDir, round: 0, writers: 4);
        await first.WaitForAsync(_ => first.Acknowledged.Count + second.Acknowledged.Count >= 20 && (first.HasExited || second.HasExited));
        await Task.Delay(500);
        bool firstWrote = (await first.KillAsync()).Any(static l => l.StartsWith("A ", StringComparison.Ordinal));
        bool secondWrote = (await second.KillAsync()).Any(static l => l.StartsWith("A ", StringComparison.Ordinal));

        Assert.True(firstWrote ^ secondWrote, $"first wrote: {firstWrote}, second wrote: {secondWrote}");
        Assert.Equal(1L, Scalar($"SELECT count(*) FROM {Postgres.Schema}.leases"));
    }

    private long Scalar(string sql)
    {
        using var connection = new NpgsqlConnection(PostgresFixture.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return (long)command.ExecuteScalar()!;
    }
}
