namespace BlockStore.Tests.Contract;

/// <summary>User timelines: exactly the recipients, duplicates collapsed, paged sync, bodies resolved from the conversation.</summary>
public abstract partial class ContractTests
{
    [SkippableFact]
    public async Task User_timeline_holds_exactly_the_messages_sent_to_the_user_across_conversations()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 5);
        var expected = new List<Message>();
        for (int i = 0; i < 40; i++)
        {
            string conv = $"conv-{i % 4}";
            string[] users = i % 3 == 0 ? Users("carol", "dave") : Users("dave");
            Message m = await store.AddMessageAsync(conv, (uint)i, Bytes($"{conv}:{i}"), users);
            if (users.Contains("carol"))
            {
                expected.Add(m);
            }
        }

        AssertSameMessages(expected, await store.GetUserMessagesAsync("carol", 0, 1000));
        Assert.Equal(40, (await store.GetUserMessagesAsync("dave", 0, 1000)).Count);
    }

    [SkippableFact]
    public async Task Duplicate_recipients_are_collapsed()
    {
        MessageStore store = await OpenAsync();
        Message m = await store.AddMessageAsync("c", 1, Bytes("hi"), Users("u", "u", "v", "u"));

        AssertSameMessages([m], await store.GetUserMessagesAsync("u", 0, 10));
        AssertSameMessages([m], await store.GetUserMessagesAsync("v", 0, 10));
        Assert.Equal(1, (await store.GetOrCreateUserTimelineAsync("u")).MessageCount);
    }

    [SkippableFact]
    public async Task A_message_without_recipients_reaches_only_its_conversation()
    {
        MessageStore store = await OpenAsync();
        Message m = await store.AddMessageAsync("c", 1, Bytes("system notice"), []);

        AssertSameMessages([m], await store.GetConvMessagesAsync("c", 10));
        Assert.Equal(0, (await store.GetStatsAsync()).UserTimelines);
    }

    [SkippableFact]
    public async Task Paged_user_sync_returns_the_oldest_after_the_cursor()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 6);
        var all = new List<Message>();
        for (int i = 0; i < 50; i++)
        {
            all.Add(await store.AddMessageAsync($"g{i % 5}", 3, Bytes($"msg {i}"), Users("syncer")));
        }

        var synced = new List<Message>();
        long cursor = 0;
        while (true)
        {
            IReadOnlyList<Message> page = await store.GetUserMessagesAsync("syncer", cursor, 7);
            if (page.Count == 0)
            {
                break;
            }

            synced.AddRange(page);
            cursor = page[^1].SeqId;
        }

        AssertSameMessages(all, synced);
        AssertSameMessages(all[10..13], await store.GetUserMessagesAsync("syncer", all[9].SeqId, 3));
    }

    [SkippableFact]
    public async Task Bodies_read_through_a_user_timeline_match_the_conversation_after_restart()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 4);
        var sent = new List<Message>();
        for (int i = 0; i < 30; i++)
        {
            byte[] body = new byte[i * 13 % 200];
            Random.Shared.NextBytes(body);
            sent.Add(await store.AddMessageAsync($"c{i % 3}", 9, body, Users("reader", $"other{i % 2}")));
        }

        store = await ReopenAsync(store, o => o.TimelineMaxSize = 4);

        AssertSameMessages(sent, await store.GetUserMessagesAsync("reader", 0, 100));
        AssertSameMessages(sent.Where(m => m.ConvId == "c1").ToList(), await store.GetConvMessagesAsync("c1", 100));
    }

    [SkippableFact]
    public async Task Unknown_user_has_no_messages_and_checkpoint_zero()
    {
        MessageStore store = await OpenAsync();

        Assert.Empty(await store.GetUserMessagesAsync("ghost", 0, 10));
        Assert.Empty(await store.GetMessagesAfterCheckpointAsync("ghost"));
        Assert.Equal(0, await store.GetUserCheckpointAsync("ghost"));
    }
}
