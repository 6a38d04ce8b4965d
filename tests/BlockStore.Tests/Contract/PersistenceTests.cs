using BlockStore.Providers;

namespace BlockStore.Tests.Contract;

/// <summary>Restart persistence, SeqIds above every earlier one, journal recovery of unsealed blocks, journal trimming.</summary>
public abstract partial class ContractTests
{
    [SkippableFact]
    public async Task Messages_survive_a_restart_and_SeqIds_continue_above_them()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 6);
        List<Message> before = await AddManyAsync(store, "c", 20, Users("u"));

        store = await ReopenAsync(store, o => o.TimelineMaxSize = 6);
        Message next = await store.AddMessageAsync("c", 1, Bytes("after restart"), Users("u"));

        Assert.True(next.SeqId > before[^1].SeqId);
        AssertSameMessages([.. before, next], await store.GetConvMessagesAsync("c", 100));
        AssertSameMessages([.. before, next], await store.GetUserMessagesAsync("u", 0, 100));
        Assert.Equal(next.SeqId, (await store.GetStatsAsync()).LastSeqId);
    }

    [SkippableFact]
    public async Task Unsealed_messages_are_recovered_from_the_journal()
    {
        // Block writes fail, so nothing is ever sealed: everything lives only in the journal when the store closes.
        var faulty = new FaultyProvider(Fixture.CreateProvider()) { FailBlockWrites = true };
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 4, faulty);
        List<Message> sent = await AddManyAsync(store, "c", 10, Users("u1", "u2"));
        await store.UpdateUserCheckpointAsync("u1", sent[4].SeqId);
        await store.DisposeAsync();
        Assert.True(faulty.FailedBlockWrites > 0);

        store = await OpenAsync(o => o.TimelineMaxSize = 4);

        AssertSameMessages(sent, await store.GetConvMessagesAsync("c", 100));
        AssertSameMessages(sent[5..], await store.GetMessagesAfterCheckpointAsync("u1"));
        AssertSameMessages(sent, await store.GetUserMessagesAsync("u2", 0, 100));
        Message next = await store.AddMessageAsync("c", 1, Bytes("next"), Users("u1"));
        Assert.Equal(sent[^1].SeqId + 1, next.SeqId);
    }

    [SkippableFact]
    public async Task Recovery_after_partial_sealing_neither_loses_nor_duplicates()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 3);
        List<Message> sealedPart = await AddManyAsync(store, "c", 7, Users("u"));
        await store.FlushAsync();
        await store.DisposeAsync();

        var faulty = new FaultyProvider(Fixture.CreateProvider()) { FailBlockWrites = true };
        store = await OpenAsync(o => o.TimelineMaxSize = 3, faulty);
        List<Message> journaledPart = await AddManyAsync(store, "c", 5, Users("u"));
        await store.DisposeAsync();

        store = await OpenAsync(o => o.TimelineMaxSize = 3);

        AssertSameMessages([.. sealedPart, .. journaledPart], await store.GetConvMessagesAsync("c", 100));
        AssertSameMessages([.. sealedPart, .. journaledPart], await store.GetUserMessagesAsync("u", 0, 100));
        Assert.Equal(12, (await store.GetStatsAsync()).Messages);
    }

    [SkippableFact]
    public async Task A_failed_journal_write_fails_its_callers_and_the_store_continues()
    {
        var faulty = new FaultyProvider(Fixture.CreateProvider());
        MessageStore store = await OpenAsync(provider: faulty);
        Message first = await store.AddMessageAsync("c", 1, Bytes("ok"), Users("u"));

        faulty.FailJournalWrites = true;
        await Assert.ThrowsAsync<BlockStoreException>(() => store.AddMessageAsync("c", 1, Bytes("lost"), Users("u")));
        faulty.FailJournalWrites = false;
        Message third = await store.AddMessageAsync("c", 1, Bytes("ok again"), Users("u"));

        Assert.True(third.SeqId > first.SeqId);
        AssertSameMessages([first, third], await store.GetConvMessagesAsync("c", 10));
        AssertSameMessages([first, third], await store.GetUserMessagesAsync("u", 0, 10));
        store = await ReopenAsync(store);
        AssertSameMessages([first, third], await store.GetConvMessagesAsync("c", 10));
    }

    [SkippableFact]
    public async Task A_failed_journal_write_leaves_nothing_of_its_turn_behind()
    {
        // Three entries a block: the failed batch fills the open block, opens and fills more, and adds new timelines.
        var faulty = new FaultyProvider(Fixture.CreateProvider()) { FailBlockWrites = true };
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 3, faulty);
        List<Message> kept = await AddManyAsync(store, "c", 2, Users("u"));
        StoreStats before = await store.GetStatsAsync();

        faulty.FailJournalWrites = true;
        NewMessage[] lost = [.. Enumerable.Range(0, 7).Select(i => new NewMessage(i % 2 == 0 ? "c" : "new-conv", 1, Bytes($"lost {i}"), ["u", "new-user"]))];
        await Assert.ThrowsAsync<BlockStoreException>(() => store.AddMessagesAsync(lost));
        faulty.FailJournalWrites = false;

        StoreStats after = await store.GetStatsAsync();
        Assert.Equal(
            (before.Messages, before.OpenBlocks, before.ConvTimelines, before.UserTimelines, before.LastSeqId, before.FullBlocks),
            (after.Messages, after.OpenBlocks, after.ConvTimelines, after.UserTimelines, after.LastSeqId, after.FullBlocks));
        AssertSameMessages(kept, await store.GetConvMessagesAsync("c", 100));
        AssertSameMessages(kept, await store.GetUserMessagesAsync("u", 0, 100));
        Assert.Empty(await store.GetConvMessagesAsync("new-conv", 100));
        Assert.Empty(await store.GetUserMessagesAsync("new-user", 0, 100));
        Assert.Equal(2, await store.GetUnreadTotalAsync("u"));
        Assert.Equal(["c"], (await store.GetInboxAsync("u", 10)).Select(static e => e.ConvId));
        Assert.Empty(await store.ListTimelinesAsync(TimelineKind.User).Where(static id => id == "new-user").ToListAsync());

        List<Message> next = await AddManyAsync(store, "c", 4, Users("u"));
        faulty.FailBlockWrites = false;
        await store.FlushAsync();
        AssertSameMessages([.. kept, .. next], await store.GetConvMessagesAsync("c", 100));
        AssertSameMessages([.. kept, .. next], await store.GetUserMessagesAsync("u", 0, 100));
        Assert.True((await store.VerifyAsync()).IsHealthy);
        store = await ReopenAsync(store, o => o.TimelineMaxSize = 3);
        AssertSameMessages([.. kept, .. next], await store.GetConvMessagesAsync("c", 100));
        Assert.Empty(await store.GetUserMessagesAsync("new-user", 0, 100));
        Assert.Equal(6, (await store.GetStatsAsync()).Messages);
    }

    [SkippableFact]
    public async Task Messages_are_not_readable_before_their_journal_record_is_durable()
    {
        var faulty = new FaultyProvider(Fixture.CreateProvider());
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 3, faulty);
        List<Message> kept = await AddManyAsync(store, "c", 2, Users("u"));
        StoreStats before = await store.GetStatsAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        faulty.JournalGate = gate.Task;
        Task<IReadOnlyList<Message>> held = store.AddMessagesAsync(
            [.. Enumerable.Range(0, 5).Select(i => new NewMessage(i % 2 == 0 ? "c" : "new-conv", 1, Bytes($"held {i}"), ["u", "new-user"]))]);

        try
        {
            // The record waits at the gate, and the staging of its entries beside it has long finished.
            await Task.Delay(300);
            Assert.False(held.IsCompleted);
            AssertSameMessages(kept, await store.GetConvMessagesAsync("c", 100));
            AssertSameMessages(kept, await store.GetUserMessagesAsync("u", 0, 100));
            AssertSameMessages(kept, await store.GetMessagesAfterCheckpointAsync("u"));
            Assert.Empty(await store.GetConvMessagesAsync("new-conv", 100));
            Assert.Empty(await store.GetUserMessagesAsync("new-user", 0, 100));
            Assert.Equal(2, await store.GetUnreadTotalAsync("u"));
            StoreStats during = await store.GetStatsAsync();
            Assert.Equal(
                (before.Messages, before.OpenBlocks, before.FullBlocks, before.ConvTimelines, before.UserTimelines, before.LastSeqId),
                (during.Messages, during.OpenBlocks, during.FullBlocks, during.ConvTimelines, during.UserTimelines, during.LastSeqId));
        }
        finally
        {
            // Released on failure too, or closing the store would wait for the held record forever.
            faulty.JournalGate = null;
            gate.SetResult();
        }

        IReadOnlyList<Message> added = await held;

        AssertSameMessages([.. kept, .. added.Where(static m => m.ConvId == "c")], await store.GetConvMessagesAsync("c", 100));
        AssertSameMessages([.. kept, .. added], await store.GetUserMessagesAsync("u", 0, 100));
        AssertSameMessages(added, await store.GetUserMessagesAsync("new-user", 0, 100));
        Assert.Equal(7, await store.GetUnreadTotalAsync("u"));
    }

    [SkippableFact]
    public async Task SeqIds_burnt_by_a_failed_journal_write_are_never_reused_below_the_journal_trim_point()
    {
        var faulty = new FaultyProvider(Fixture.CreateProvider());
        MessageStore store = await OpenAsync(provider: faulty);
        Message first = await store.AddMessageAsync("c", 1, Bytes("first"), Users("u"));
        faulty.FailJournalWrites = true;
        await Assert.ThrowsAsync<BlockStoreException>(() => store.AddMessageAsync("c", 1, Bytes("lost"), Users("u")));
        faulty.FailJournalWrites = false;
        await store.DisposeAsync();

        // Block writes fail, so the next message lives only in the journal when this store goes away: as after kill -9.
        var unsealed = new FaultyProvider(Fixture.CreateProvider()) { FailBlockWrites = true };
        store = await OpenAsync(provider: unsealed);
        Message journaled = await store.AddMessageAsync("c", 1, Bytes("journaled"), Users("u"));
        await store.DisposeAsync();
        Assert.True(unsealed.FailedBlockWrites > 0);

        store = await OpenAsync();

        Assert.True(journaled.SeqId > first.SeqId);
        AssertSameMessages([first, journaled], await store.GetConvMessagesAsync("c", 10));
        AssertSameMessages([first, journaled], await store.GetUserMessagesAsync("u", 0, 10));
        Message next = await store.AddMessageAsync("c", 1, Bytes("next"), Users("u"));
        Assert.True(next.SeqId > journaled.SeqId);
    }

    [SkippableFact]
    public async Task Failing_block_writes_delay_sealing_without_losing_anything()
    {
        var faulty = new FaultyProvider(Fixture.CreateProvider()) { FailBlockWrites = true };
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 4, faulty);
        List<Message> during = await AddManyAsync(store, "c", 30, Users("u"));
        await store.FlushAsync();
        Assert.Equal(0, (await store.GetStatsAsync()).Blocks);
        AssertSameMessages(during, await store.GetConvMessagesAsync("c", 100));

        faulty.FailBlockWrites = false;
        List<Message> after = await AddManyAsync(store, "c", 10, Users("u"));
        await store.FlushAsync();

        StoreStats stats = await store.GetStatsAsync();
        Assert.Equal(20, stats.Blocks);
        AssertSameMessages([.. during, .. after], await store.GetConvMessagesAsync("c", 100));
        AssertSameMessages([.. during, .. after], await store.GetUserMessagesAsync("u", 0, 100));
        Assert.True((await store.VerifyAsync()).IsHealthy);
    }

    [SkippableFact]
    public async Task A_failed_checkpoint_write_is_reported_and_leaves_the_checkpoint_unchanged()
    {
        var faulty = new FaultyProvider(Fixture.CreateProvider());
        MessageStore store = await OpenAsync(provider: faulty);
        List<Message> sent = await AddManyAsync(store, "c", 5, Users("u"));
        await store.UpdateUserCheckpointAsync("u", sent[1].SeqId);

        faulty.FailCheckpointWrites = true;
        await Assert.ThrowsAsync<BlockStoreException>(() => store.UpdateUserCheckpointAsync("u", sent[3].SeqId));
        Assert.Equal(sent[1].SeqId, await store.GetUserCheckpointAsync("u"));

        faulty.FailCheckpointWrites = false;
        await store.UpdateUserCheckpointAsync("u", sent[3].SeqId);
        Assert.Equal(sent[3].SeqId, await store.GetUserCheckpointAsync("u"));
    }

    [SkippableFact]
    public async Task Journal_is_trimmed_by_sealing_when_it_passes_its_budget()
    {
        MessageStore store = await OpenAsync(o =>
        {
            o.TimelineMaxSize = 1000;
            o.JournalMaxBytes = 16 * 1024;
        });
        for (int i = 0; i < 60; i++)
        {
            await store.AddMessagesAsync(Enumerable.Range(0, 10).Select(j => new NewMessage($"c{j}", 1, new byte[100], ["u"])).ToList());
        }

        await store.FlushAsync();
        StoreStats stats = await store.GetStatsAsync();

        Assert.InRange(stats.JournalBytes, 0, 16 * 1024);
        Assert.True(stats.Blocks > 0);
        Assert.Equal(600, (await store.GetUserMessagesAsync("u", 0, 1000)).Count);
    }

    [SkippableFact]
    public async Task Old_open_blocks_are_sealed_even_when_not_full()
    {
        MessageStore store = await OpenAsync(o =>
        {
            o.TimelineMaxSize = 1000;
            o.OpenBlockMaxAge = TimeSpan.FromMilliseconds(200);
        });
        List<Message> sent = await AddManyAsync(store, "quiet", 3, Users("u"));

        StoreStats stats = await store.GetStatsAsync();
        for (int i = 0; i < 100 && stats.OpenBlocks > 0; i++)
        {
            await Task.Delay(50);
            stats = await store.GetStatsAsync();
        }

        Assert.Equal(0, stats.OpenBlocks);
        Assert.Equal(2, stats.Blocks);
        Assert.Equal(0, stats.JournalBytes);
        AssertSameMessages(sent, await store.GetConvMessagesAsync("quiet", 10));
    }

    [SkippableFact]
    public async Task Open_blocks_past_their_memory_budget_are_sealed_early()
    {
        MessageStore store = await OpenAsync(o =>
        {
            o.TimelineMaxSize = 1000;
            o.OpenBlocksMaxBytes = 8 * 1024;
        });
        for (int i = 0; i < 200; i++)
        {
            await store.AddMessageAsync($"conv-{i}", 1, new byte[64], [$"user-{i}"]);
        }

        StoreStats stats = await store.GetStatsAsync();

        Assert.True(stats.OpenBlocks < 200, $"{stats.OpenBlocks} open blocks");
        Assert.True(stats.Blocks > 0);
        Assert.Equal(200, stats.Messages);
    }
}
