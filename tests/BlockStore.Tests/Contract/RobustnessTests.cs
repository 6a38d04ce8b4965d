using Microsoft.Extensions.Options;

namespace BlockStore.Tests.Contract;

/// <summary>
/// Failures that must stay bounded: a seal that keeps failing backs off, reuses blocks it already wrote, and stops writes
/// before the journal or the open blocks grow without bound; a group commit never builds a record the provider cannot store.
/// </summary>
public abstract partial class ContractTests
{
    [SkippableFact]
    public async Task A_failing_seal_is_retried_with_backoff_not_on_every_write()
    {
        var faulty = new FaultyProvider(Fixture.CreateProvider()) { FailBlockWrites = true };
        MessageStore store = await OpenAsync(o => o.OpenBlockMaxAge = TimeSpan.FromMilliseconds(1), faulty);

        for (int i = 0; i < 100; i++)
        {
            await store.AddMessageAsync($"c{i % 10}", 1, Bytes($"m{i}"), Users("u"));
            await Task.Delay(2);
        }

        Assert.InRange(faulty.FailedBlockWrites, 1, 20);
    }

    [SkippableFact]
    public async Task A_seal_whose_metadata_commit_fails_does_not_write_its_blocks_again()
    {
        var faulty = new FaultyProvider(Fixture.CreateProvider()) { FailBlockCommits = true };
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 4, faulty);
        List<Message> sent = await AddManyAsync(store, "c", 20, Users("u"));

        await store.FlushAsync();
        int writtenOnce = faulty.BlocksWritten;
        await store.FlushAsync();
        await store.FlushAsync();
        int afterRetries = faulty.BlocksWritten;
        faulty.FailBlockCommits = false;
        await store.FlushAsync();

        Assert.Equal(10, writtenOnce);
        Assert.Equal(writtenOnce, afterRetries);
        Assert.Equal(writtenOnce, faulty.BlocksWritten);
        Assert.Equal(10, (await store.GetStatsAsync()).Blocks);
        AssertSameMessages(sent, await store.GetConvMessagesAsync("c", 100));
        AssertSameMessages(sent, await store.GetUserMessagesAsync("u", 0, 100));
        Assert.True((await store.VerifyAsync()).IsHealthy);
        store = await ReopenAsync(store, o => o.TimelineMaxSize = 4);
        AssertSameMessages(sent, await store.GetConvMessagesAsync("c", 100));
    }

    [SkippableFact]
    public async Task Writes_are_refused_while_sealing_fails_past_the_budgets_and_resume_after_a_seal()
    {
        var faulty = new FaultyProvider(Fixture.CreateProvider()) { FailBlockWrites = true };
        MessageStore store = await OpenAsync(RobustnessBudgets, faulty);
        var accepted = new List<Message>();
        BlockStoreException? refused = null;
        for (int i = 0; i < 500 && refused is null; i++)
        {
            try
            {
                accepted.Add(await store.AddMessageAsync($"c{i % 5}", 1, new byte[500], Users("u")));
            }
            catch (BlockStoreException ex)
            {
                refused = ex;
            }
        }

        Assert.NotNull(refused);
        Assert.Contains("sealing", refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.InRange((await store.GetStatsAsync()).JournalBytes, 1, 3 * 8192);
        await Assert.ThrowsAsync<BlockStoreException>(() => store.AddMessageAsync("c0", 1, new byte[500], Users("u")));

        faulty.FailBlockWrites = false;
        Message? resumed = null;
        for (int i = 0; i < 200 && resumed is null; i++)
        {
            try
            {
                resumed = await store.AddMessageAsync("c0", 1, new byte[500], Users("u"));
            }
            catch (BlockStoreException)
            {
                await Task.Delay(50);
            }
        }

        Assert.NotNull(resumed);
        AssertSameMessages([.. accepted, resumed], await store.GetUserMessagesAsync("u", 0, 1000));
    }

    [SkippableFact]
    public async Task A_batch_too_large_for_one_journal_record_is_refused_naming_batch()
    {
        var faulty = new FaultyProvider(Fixture.CreateProvider()) { MaxPayloadBytes = 64 * 1024 };
        MessageStore store = await OpenAsync(SmallRecords, faulty);
        List<NewMessage> batch = Enumerable.Range(0, 100).Select(i => new NewMessage("c", 1, new byte[1000], ["u"])).ToList();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.AddMessagesAsync(batch));

        Assert.Equal("batch", error.ParamName);
        StoreStats stats = await store.GetStatsAsync();
        Assert.Equal((0, 0, 0), (stats.Messages, stats.LastSeqId, stats.ConvTimelines));
        Assert.Equal(50, (await store.AddMessagesAsync(batch[..50])).Count);
    }

    [SkippableFact]
    public async Task Writes_queued_together_beyond_one_journal_record_are_split_into_several_commits()
    {
        var faulty = new FaultyProvider(Fixture.CreateProvider()) { MaxPayloadBytes = 64 * 1024 };
        MessageStore store = await OpenAsync(SmallRecords, faulty);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        faulty.JournalGate = gate.Task;
        Task<Message> held = store.AddMessageAsync("held", 1, Bytes("first"), []);
        await Task.Delay(100);
        List<Task<IReadOnlyList<Message>>> writers = Enumerable.Range(0, 40)
            .Select(w => store.AddMessagesAsync(Enumerable.Range(0, 10).Select(i => new NewMessage($"c{w}", 1, new byte[1000], ["u"])).ToList()))
            .ToList();
        await Task.Delay(200);

        faulty.JournalGate = null;
        gate.SetResult();
        await held;
        IReadOnlyList<Message>[] results = await Task.WhenAll(writers);

        Assert.All(results, r => Assert.Equal(10, r.Count));
        Assert.Equal(400, (await store.GetUserMessagesAsync("u", 0, 1000)).Count);
        Assert.True((await store.GetStatsAsync()).JournalBytes > 64 * 1024);
    }

    [SkippableFact]
    public async Task MaxBlockBytes_above_the_providers_limit_is_refused_at_start_naming_the_key()
    {
        var faulty = new FaultyProvider(Fixture.CreateProvider()) { MaxPayloadBytes = 512 * 1024 };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => OpenAsync(o => o.MaxBlockBytes = 1024 * 1024, faulty));

        Assert.Contains("BlockStore:MaxBlockBytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("524288", error.Message, StringComparison.Ordinal);
    }

    private static void SmallRecords(BlockStoreOptions o)
    {
        o.MaxBlockBytes = 32 * 1024;
        o.MaxMessageBytes = 4096;
        o.MaxRecipients = 10;
    }

    private static void RobustnessBudgets(BlockStoreOptions o)
    {
        o.TimelineMaxSize = 1000;
        o.JournalMaxBytes = 8192;
        o.OpenBlocksMaxBytes = 8192;
        o.OpenBlockMaxAge = TimeSpan.FromMilliseconds(200);
    }
}
