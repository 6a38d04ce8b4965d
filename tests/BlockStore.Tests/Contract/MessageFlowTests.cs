namespace BlockStore.Tests.Contract;

/// <summary>The core usage flows: send to a group, come online and read unread messages, page through history.</summary>
public abstract partial class ContractTests
{
    [SkippableFact]
    public async Task Sending_to_a_group_reaches_the_conversation_and_every_member()
    {
        MessageStore store = await OpenAsync();
        Message sent = await store.AddMessageAsync("group_chat_001", 1001, Bytes("大家好！"), Users("user_001", "user_002", "user_003"));

        Assert.Equal(1, sent.SeqId);
        Assert.Equal("group_chat_001", sent.ConvId);
        Assert.Equal(1001u, sent.SenderId);
        Assert.Equal(TimeSpan.Zero, sent.CreatedAt.Offset);
        Assert.Equal(0, sent.CreatedAt.UtcTicks % TimeSpan.TicksPerMillisecond);
        AssertSameMessages([sent], await store.GetConvMessagesAsync("group_chat_001", 20));
        foreach (string user in Users("user_001", "user_002", "user_003"))
        {
            AssertSameMessages([sent], await store.GetMessagesAfterCheckpointAsync(user));
        }

        Assert.Empty(await store.GetMessagesAfterCheckpointAsync("user_999"));
    }

    [SkippableFact]
    public async Task A_user_coming_online_reads_unread_messages_and_moves_the_checkpoint()
    {
        MessageStore store = await OpenAsync();
        var sent = new List<Message>();
        for (int i = 0; i < 5; i++)
        {
            sent.Add(await store.AddMessageAsync(i % 2 == 0 ? "room-a" : "room-b", 7, Bytes($"hello {i}"), Users("alice", "bob")));
        }

        Assert.Equal(0, await store.GetUserCheckpointAsync("alice"));
        IReadOnlyList<Message> unread = await store.GetMessagesAfterCheckpointAsync("alice");
        AssertSameMessages(sent, unread);

        await store.UpdateUserCheckpointAsync("alice", unread[^1].SeqId);

        Assert.Equal(unread[^1].SeqId, await store.GetUserCheckpointAsync("alice"));
        Assert.Empty(await store.GetMessagesAfterCheckpointAsync("alice"));
        AssertSameMessages(sent, await store.GetMessagesAfterCheckpointAsync("bob"));

        Message later = await store.AddMessageAsync("room-a", 8, Bytes("later"), Users("alice"));
        AssertSameMessages([later], await store.GetMessagesAfterCheckpointAsync("alice"));
    }

    [SkippableFact]
    public async Task History_pages_backwards_from_the_earliest_of_the_previous_page()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 8);
        List<Message> all = await AddManyAsync(store, "group_chat_001", 45);

        IReadOnlyList<Message> recent = await store.GetConvMessagesAsync("group_chat_001", 20, 0);
        AssertSameMessages(all[25..], recent);
        IReadOnlyList<Message> older = await store.GetConvMessagesAsync("group_chat_001", 20, recent[0].SeqId);
        AssertSameMessages(all[5..25], older);
        IReadOnlyList<Message> oldest = await store.GetConvMessagesAsync("group_chat_001", 20, older[0].SeqId);
        AssertSameMessages(all[..5], oldest);
        Assert.Empty(await store.GetConvMessagesAsync("group_chat_001", 20, oldest[0].SeqId));
    }

    [SkippableFact]
    public async Task Timelines_are_created_empty_and_report_their_figures()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 2);
        TimelineInfo conv = await store.GetOrCreateConvTimelineAsync("chat_room_001");
        TimelineInfo user = await store.GetOrCreateUserTimelineAsync("user_123");

        Assert.Equal(new TimelineInfo(TimelineKind.Conversation, "chat_room_001", 0, 0, 0), conv);
        Assert.Equal(new TimelineInfo(TimelineKind.User, "user_123", 0, 0, 0), user);
        Assert.Empty(await store.GetConvMessagesAsync("chat_room_001", 10));

        List<Message> sent = await AddManyAsync(store, "chat_room_001", 5, Users("user_123"));
        await store.FlushAsync();

        TimelineInfo after = await store.GetOrCreateConvTimelineAsync("chat_room_001");
        Assert.Equal(sent[^1].SeqId, after.LastSeqId);
        Assert.Equal(5, after.MessageCount);
        Assert.Equal(2, after.SealedBlockCount);
        Assert.Equal(5, (await store.GetOrCreateUserTimelineAsync("user_123")).MessageCount);
    }

    [SkippableFact]
    public async Task Empty_timelines_survive_a_restart()
    {
        MessageStore store = await OpenAsync();
        await store.GetOrCreateConvTimelineAsync("quiet-room");
        await store.GetOrCreateUserTimelineAsync("lurker");

        store = await ReopenAsync(store);
        StoreStats stats = await store.GetStatsAsync();

        Assert.Equal(1, stats.ConvTimelines);
        Assert.Equal(1, stats.UserTimelines);
    }

    [SkippableFact]
    public async Task Stats_count_stores_blocks_messages_and_timelines()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 10);
        await AddManyAsync(store, "c1", 25, Users("u1", "u2"));
        await AddManyAsync(store, "c2", 5, Users("u2"));
        await store.FlushAsync();

        StoreStats stats = await store.GetStatsAsync();

        Assert.Equal(30, stats.Messages);
        Assert.Equal(30, stats.LastSeqId);
        Assert.Equal(2, stats.ConvTimelines);
        Assert.Equal(2, stats.UserTimelines);
        Assert.Equal(2 + 2 + 3, stats.Blocks); // c1: 2 full, u1: 2 full, u2: 3 full (30 entries)
        Assert.Equal(1, stats.Stores);
        Assert.Equal(stats.StoreDetails.Sum(s => s.Capacity), stats.CapacityBytes);
        Assert.InRange(stats.UsedBytes, 1, stats.CapacityBytes);
    }

    [SkippableFact]
    public async Task Stats_report_full_blocks_waiting_to_be_written_apart_from_open_ones()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 100);
        await store.FlushAsync();
        await AddManyAsync(store, "c", 1000);
        await AddManyAsync(store, "c", 30);

        StoreStats waiting = await store.GetStatsAsync();
        await store.FlushAsync();
        StoreStats written = await store.GetStatsAsync();

        Assert.Equal(10, waiting.Blocks + waiting.FullBlocks);
        Assert.Equal(1, waiting.OpenBlocks);
        Assert.Equal((10, 0, 1), (written.Blocks, written.FullBlocks, written.OpenBlocks));
        Assert.Equal(1, written.Stores);
    }
}
