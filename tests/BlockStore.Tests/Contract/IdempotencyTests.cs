namespace BlockStore.Tests.Contract;

/// <summary>
/// Idempotency keys: a message added again with the key of one already stored (in the same conversation, within the window)
/// returns the original and writes nothing, also after a restart, after sealing trimmed the journal and after a crash.
/// </summary>
public abstract partial class ContractTests
{
    [Fact]
    public async Task A_repeated_key_returns_the_original_message_and_writes_nothing()
    {
        MessageStore store = await OpenAsync();
        Message original = await store.AddMessageAsync("c", 1, Bytes("hello"), Users("u1", "u2"), "key-1");
        await Task.Delay(5);

        Message again = await store.AddMessageAsync("c", 1, Bytes("hello"), Users("u1", "u2"), "key-1");

        AssertSameMessages([original], [again]);
        AssertSameMessages([original], await store.GetConvMessagesAsync("c", 10));
        AssertSameMessages([original], await store.GetUserMessagesAsync("u1", 0, 10));
        StoreStats stats = await store.GetStatsAsync();
        Assert.Equal(1, stats.Messages);
        Assert.Equal(original.SeqId, stats.LastSeqId);
    }

    [Fact]
    public async Task Keys_are_scoped_per_conversation()
    {
        MessageStore store = await OpenAsync();

        Message inA = await store.AddMessageAsync("a", 1, Bytes("x"), [], "same-key");
        Message inB = await store.AddMessageAsync("b", 1, Bytes("x"), [], "same-key");
        Message unkeyed = await store.AddMessageAsync("a", 1, Bytes("x"), []);

        Assert.NotEqual(inA.SeqId, inB.SeqId);
        Assert.Equal(2, (await store.GetConvMessagesAsync("a", 10)).Count);
        AssertSameMessages([inB], await store.GetConvMessagesAsync("b", 10));
        Assert.True(unkeyed.SeqId > inB.SeqId);
    }

    [Fact]
    public async Task A_repeated_key_with_another_sender_or_body_is_refused_and_nothing_is_written()
    {
        MessageStore store = await OpenAsync();
        Message original = await store.AddMessageAsync("c", 1, Bytes("hello"), Users("u"), "key-1");

        var body = await Assert.ThrowsAsync<ArgumentException>(() => store.AddMessageAsync("c", 1, Bytes("other"), Users("u"), "key-1"));
        var sender = await Assert.ThrowsAsync<ArgumentException>(() => store.AddMessageAsync("c", 2, Bytes("hello"), Users("u"), "key-1"));
        var batch = await Assert.ThrowsAsync<ArgumentException>(() => store.AddMessagesAsync(
            [new NewMessage("c", 1, Bytes("new"), ["u"]), new NewMessage("c", 1, Bytes("other"), ["u"]) { IdempotencyKey = "key-1" }]));

        Assert.Equal("idempotencyKey", body.ParamName);
        Assert.Equal("idempotencyKey", sender.ParamName);
        Assert.Equal("batch", batch.ParamName);
        AssertSameMessages([original], await store.GetConvMessagesAsync("c", 10));
        AssertSameMessages([original], await store.GetUserMessagesAsync("u", 0, 10));
    }

    [Theory]
    [MemberData(nameof(BadIds))]
    public async Task Bad_idempotency_keys_are_refused_and_nothing_is_written(string? key)
    {
        if (key is null)
        {
            return;
        }

        MessageStore store = await OpenAsync();

        var single = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AddMessageAsync("c", 1, Bytes("x"), Users("u"), key));
        var batch = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AddMessagesAsync([new NewMessage("c", 1, Bytes("x"), ["u"]) { IdempotencyKey = key }]));

        Assert.Equal("idempotencyKey", single.ParamName);
        Assert.Equal("batch", batch.ParamName);
        Assert.Contains("IdempotencyKey", batch.Message, StringComparison.Ordinal);
        await AssertNothingWrittenAsync(store);
    }

    [Fact]
    public async Task Repeated_keys_inside_one_batch_collapse_and_a_retried_batch_returns_the_originals()
    {
        MessageStore store = await OpenAsync();
        List<NewMessage> batch =
        [
            new("c", 1, Bytes("one"), ["u"]) { IdempotencyKey = "k1" },
            new("c", 1, Bytes("two"), ["u"]) { IdempotencyKey = "k2" },
            new("c", 1, Bytes("one"), ["u"]) { IdempotencyKey = "k1" },
            new("c", 1, Bytes("unkeyed"), ["u"]),
        ];

        IReadOnlyList<Message> stored = await store.AddMessagesAsync(batch);
        IReadOnlyList<Message> retried = await store.AddMessagesAsync(batch[..3]);

        AssertSameMessages([stored[0], stored[1], stored[0]], [.. retried]);
        Assert.Equal(stored[0].SeqId, stored[2].SeqId);
        AssertSameMessages([stored[0], stored[1], stored[3]], await store.GetConvMessagesAsync("c", 10));
        AssertSameMessages([stored[0], stored[1], stored[3]], await store.GetUserMessagesAsync("u", 0, 10));
    }

    [Fact]
    public async Task Concurrent_retries_with_one_key_store_one_message()
    {
        MessageStore store = await OpenAsync();

        Message[] results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => store.AddMessageAsync("c", 1, Bytes("once"), Users("u"), "k"))));

        Assert.Single(results.Select(m => m.SeqId).Distinct());
        AssertSameMessages([results[0]], await store.GetConvMessagesAsync("c", 10));
    }

    [Fact]
    public async Task A_key_is_remembered_across_a_reopen()
    {
        MessageStore store = await OpenAsync();
        Message original = await store.AddMessageAsync("c", 1, Bytes("hello"), Users("u"), "key-1");

        store = await ReopenAsync(store);
        Message again = await store.AddMessageAsync("c", 1, Bytes("hello"), Users("u"), "key-1");
        store = await ReopenAsync(store);
        Message third = await store.AddMessageAsync("c", 1, Bytes("hello"), Users("u"), "key-1");

        AssertSameMessages([original, original], [again, third]);
        AssertSameMessages([original], await store.GetConvMessagesAsync("c", 10));
    }

    [Fact]
    public async Task A_key_is_remembered_after_sealing_trimmed_its_journal_record()
    {
        static void Small(BlockStoreOptions o) => o.TimelineMaxSize = 2;
        MessageStore store = await OpenAsync(Small);
        Message original = await store.AddMessageAsync("c", 1, Bytes("hello"), Users("u"), "key-1");
        List<Message> others = await AddManyAsync(store, "c", 9, Users("u"));
        await store.FlushAsync();
        Assert.True((await store.GetStatsAsync()).Blocks >= 8);

        // Each round seals everything again and trims the journal records that held the key before.
        for (int round = 0; round < 3; round++)
        {
            store = await ReopenAsync(store, Small);
            Message again = await store.AddMessageAsync("c", 1, Bytes("hello"), Users("u"), "key-1");
            AssertSameMessages([original], [again]);
            others.AddRange(await AddManyAsync(store, "c", 5, Users("u"), prefix: $"r{round}"));
            await store.FlushAsync();
        }

        AssertSameMessages([original, .. others], await store.GetConvMessagesAsync("c", 100));
        Assert.True((await store.VerifyAsync()).IsHealthy);
    }

    [Fact]
    public async Task A_key_is_remembered_after_a_crash()
    {
        // Block writes fail, so nothing is sealed at close: the data set is left as a crash leaves it, all in the journal.
        var faulty = new FaultyProvider(Fixture.CreateProvider()) { FailBlockWrites = true };
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 2, faulty);
        Message original = await store.AddMessageAsync("c", 1, Bytes("hello"), Users("u"), "key-1");
        IReadOnlyList<Message> batch = await store.AddMessagesAsync([new NewMessage("c", 2, Bytes("b"), ["u"]) { IdempotencyKey = "key-2" }]);
        await AddManyAsync(store, "c", 5, Users("u"));
        await store.DisposeAsync();

        store = await OpenAsync(o => o.TimelineMaxSize = 2);
        Message again = await store.AddMessageAsync("c", 1, Bytes("hello"), Users("u"), "key-1");
        IReadOnlyList<Message> batchAgain = await store.AddMessagesAsync([new NewMessage("c", 2, Bytes("b"), ["u"]) { IdempotencyKey = "key-2" }]);

        AssertSameMessages([original, batch[0]], [again, batchAgain[0]]);
        Assert.Equal(7, (await store.GetStatsAsync()).Messages);
    }

    [Fact]
    public async Task A_key_is_forgotten_after_its_window_or_when_newer_keys_push_it_out()
    {
        MessageStore store = await OpenAsync(o =>
        {
            o.IdempotencyWindow = TimeSpan.FromMilliseconds(200);
            o.IdempotencyMaxKeys = 2;
        });
        Message first = await store.AddMessageAsync("c", 1, Bytes("x"), [], "old");
        await Task.Delay(400);
        Message late = await store.AddMessageAsync("c", 1, Bytes("x"), [], "old");
        Assert.True(late.SeqId > first.SeqId);

        await store.AddMessageAsync("c", 1, Bytes("x"), [], "k2");
        await store.AddMessageAsync("c", 1, Bytes("x"), [], "k3");
        Message pushedOut = await store.AddMessageAsync("c", 1, Bytes("x"), [], "old");
        Message kept = await store.AddMessageAsync("c", 1, Bytes("x"), [], "k3");

        Assert.True(pushedOut.SeqId > late.SeqId);
        Assert.Equal(5, (await store.GetConvMessagesAsync("c", 10)).Count);
        Assert.Equal(pushedOut.SeqId - 1, kept.SeqId);
    }
}
