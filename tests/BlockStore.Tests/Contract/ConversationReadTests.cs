namespace BlockStore.Tests.Contract;

/// <summary>Reading a conversation: latest pages, exclusive <c>beforeSeqId</c>, paging across many blocks, time windows.</summary>
public abstract partial class ContractTests
{
    [SkippableFact]
    public async Task Latest_page_is_the_newest_messages_oldest_first()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 7);
        List<Message> all = await AddManyAsync(store, "c", 30);

        AssertSameMessages(all[10..], await store.GetConvMessagesAsync("c", 20));
        AssertSameMessages(all, await store.GetConvMessagesAsync("c", 1000));
    }

    [SkippableFact]
    public async Task BeforeSeqId_is_exclusive()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 4);
        List<Message> all = await AddManyAsync(store, "c", 12);

        IReadOnlyList<Message> page = await store.GetConvMessagesAsync("c", 3, all[6].SeqId);

        AssertSameMessages(all[3..6], page);
        Assert.Empty(await store.GetConvMessagesAsync("c", 3, all[0].SeqId));
    }

    [SkippableFact]
    public async Task Paging_backwards_visits_every_message_once()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 10);
        var all = new List<Message>();
        for (int round = 0; round < 5; round++)
        {
            all.AddRange(await AddManyAsync(store, "busy", 47, prefix: $"r{round}"));
            await AddManyAsync(store, "other", 3);
        }

        var seen = new List<Message>();
        long before = 0;
        while (true)
        {
            IReadOnlyList<Message> page = await store.GetConvMessagesAsync("busy", 13, before);
            if (page.Count == 0)
            {
                break;
            }

            Assert.True(page.Count <= 13);
            seen.InsertRange(0, page);
            before = page[0].SeqId;
        }

        AssertSameMessages(all, seen);
    }

    [SkippableFact]
    public async Task Pages_span_sealed_frozen_and_open_blocks_after_a_restart()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 5);
        List<Message> all = await AddManyAsync(store, "c", 23);
        store = await ReopenAsync(store, o => o.TimelineMaxSize = 5);
        all.AddRange(await AddManyAsync(store, "c", 4, prefix: "after"));

        AssertSameMessages(all[^20..], await store.GetConvMessagesAsync("c", 20));
        AssertSameMessages(all[..7], await store.GetConvMessagesAsync("c", 20, all[7].SeqId));
    }

    [SkippableFact]
    public async Task Unknown_conversation_reads_as_empty()
    {
        MessageStore store = await OpenAsync();

        Assert.Empty(await store.GetConvMessagesAsync("nobody-here", 20));
        Assert.Empty(await store.GetConvMessagesByTimeAsync("nobody-here", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 20));
        Assert.Equal(0, (await store.GetStatsAsync()).ConvTimelines);
    }

    [SkippableFact]
    public async Task Time_window_includes_from_and_excludes_to()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 3);
        var all = new List<Message>();
        for (int i = 0; i < 12; i++)
        {
            all.Add(await store.AddMessageAsync("c", 1, Bytes($"t{i}"), []));
            if (i % 3 == 2)
            {
                await Task.Delay(5);
            }
        }

        DateTimeOffset from = all[4].CreatedAt;
        DateTimeOffset to = all[9].CreatedAt;
        IReadOnlyList<Message> window = await store.GetConvMessagesByTimeAsync("c", from, to, 100);

        AssertSameMessages(all.Where(m => m.CreatedAt >= from && m.CreatedAt < to).ToList(), window);
        Assert.Contains(window, m => m.SeqId == all[4].SeqId);
        Assert.DoesNotContain(window, m => m.CreatedAt == to);
        Assert.Empty(await store.GetConvMessagesByTimeAsync("c", from, from, 100));
        AssertSameMessages(all, await store.GetConvMessagesByTimeAsync("c", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 100));
    }

    [SkippableFact]
    public async Task Time_window_returns_the_oldest_matches_up_to_the_limit()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 4);
        List<Message> all = await AddManyAsync(store, "c", 20);

        IReadOnlyList<Message> window = await store.GetConvMessagesByTimeAsync("c", all[0].CreatedAt, all[^1].CreatedAt.AddSeconds(1), 6);

        AssertSameMessages(all[..6], window);
    }

    [SkippableFact]
    public async Task Time_window_outside_the_messages_is_empty()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 4);
        List<Message> all = await AddManyAsync(store, "c", 10);

        Assert.Empty(await store.GetConvMessagesByTimeAsync("c", all[^1].CreatedAt.AddMilliseconds(1), all[^1].CreatedAt.AddHours(1), 10));
        Assert.Empty(await store.GetConvMessagesByTimeAsync("c", all[0].CreatedAt.AddHours(-1), all[0].CreatedAt, 10));
    }

    [SkippableFact]
    public async Task CreatedAt_never_decreases_along_a_timeline()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 16);
        List<Message> all = await AddManyAsync(store, "c", 100);
        for (int i = 0; i < 50; i++)
        {
            all.Add(await store.AddMessageAsync("c", 2, Bytes("x"), []));
        }

        for (int i = 1; i < all.Count; i++)
        {
            Assert.True(all[i].SeqId > all[i - 1].SeqId);
            Assert.True(all[i].CreatedAt >= all[i - 1].CreatedAt);
        }
    }
}
