namespace BlockStore.Tests.Contract;

/// <summary>The inbox: conversations by activity, paged; read markers per conversation; exact unread counts, also after restart.</summary>
public abstract partial class ContractTests
{
    [SkippableFact]
    public async Task Inbox_lists_conversations_newest_activity_first_with_last_message_and_unread_count()
    {
        MessageStore store = await OpenAsync();
        await AddManyAsync(store, "a", 3, Users("u"), "a");
        await AddManyAsync(store, "b", 2, Users("u", "v"), "b");
        await AddManyAsync(store, "c", 1, Users("u"), "c");
        Message newest = await store.AddMessageAsync("a", 1, Bytes("a-again"), Users("u"));
        await store.AddMessageAsync("d", 1, Bytes("not for u"), Users("v"));

        IReadOnlyList<InboxEntry> inbox = await store.GetInboxAsync("u", 10);

        Assert.Equal(["a", "c", "b"], inbox.Select(e => e.ConvId));
        AssertSameMessages([newest], [inbox[0].LastMessage]);
        Assert.Equal("c-0", Text(inbox[1].LastMessage));
        Assert.Equal("b-1", Text(inbox[2].LastMessage));
        Assert.Equal([4L, 1L, 2L], inbox.Select(e => e.UnreadCount));
        Assert.All(inbox, e => Assert.Equal(0, e.ReadSeqId));
        Assert.Equal(7, await store.GetUnreadTotalAsync("u"));
        Assert.Equal(2, await store.GetUnreadCountAsync("u", "b"));
        Assert.Empty(await store.GetInboxAsync("nobody", 10));
        Assert.Equal(0, await store.GetUnreadTotalAsync("nobody"));
        Assert.Equal(0, await store.GetUnreadCountAsync("u", "d"));
    }

    [SkippableFact]
    public async Task Paging_through_1000_conversations_visits_each_once_newest_activity_first()
    {
        MessageStore store = await OpenAsync();
        await store.AddMessagesAsync([.. Enumerable.Range(0, 600).Select(i => new NewMessage($"conv-{i}", 1, Bytes($"first-{i}"), Users("u")))]);

        // Half of the activity is in the index after the restart, the rest only in the journal: paging must merge both.
        store = await ReopenAsync(store);
        await store.AddMessagesAsync([.. Enumerable.Range(600, 400).Select(i => new NewMessage($"conv-{i}", 1, Bytes($"first-{i}"), Users("u")))]);
        await store.AddMessagesAsync([.. Enumerable.Range(0, 1000).Where(i => i % 3 == 0).Select(i => new NewMessage($"conv-{i}", 1, Bytes($"again-{i}"), Users("u")))]);

        var seen = new List<InboxEntry>();
        long cursor = 0;
        while (true)
        {
            IReadOnlyList<InboxEntry> page = await store.GetInboxAsync("u", 37, cursor);
            if (page.Count == 0)
            {
                break;
            }

            Assert.True(page.Count == 37 || seen.Count + page.Count == 1000, $"a short page of {page.Count} after {seen.Count}");
            seen.AddRange(page);
            cursor = page[^1].LastMessage.SeqId;
        }

        Assert.Equal(1000, seen.Count);
        Assert.Equal(1000, seen.Select(e => e.ConvId).Distinct().Count());
        Assert.Equal(seen.Select(e => e.LastMessage.SeqId).OrderDescending(), seen.Select(e => e.LastMessage.SeqId));
        Assert.All(seen, e => Assert.Equal(int.Parse(e.ConvId[5..]) % 3 == 0 ? 2 : 1, e.UnreadCount));
        Assert.All(seen, e => Assert.Equal(int.Parse(e.ConvId[5..]) % 3 == 0 ? "again" : "first", Text(e.LastMessage).Split('-')[0]));
        Assert.Equal(1334, await store.GetUnreadTotalAsync("u"));
    }

    [SkippableFact]
    public async Task Read_markers_are_independent_of_each_other_and_of_the_checkpoint()
    {
        MessageStore store = await OpenAsync();
        List<Message> group = await AddManyAsync(store, "group", 3, Users("u", "v"), "g");
        List<Message> direct = await AddManyAsync(store, "dm", 2, Users("u"), "d");

        await store.UpdateReadMarkerAsync("u", "dm", direct[^1].SeqId);

        Assert.Equal(direct[^1].SeqId, await store.GetReadMarkerAsync("u", "dm"));
        Assert.Equal(0, await store.GetReadMarkerAsync("u", "group"));
        Assert.Equal(0, await store.GetReadMarkerAsync("v", "dm"));
        Assert.Equal(0, await store.GetUnreadCountAsync("u", "dm"));
        Assert.Equal(3, await store.GetUnreadCountAsync("u", "group"));
        Assert.Equal(3, await store.GetUnreadCountAsync("v", "group"));
        Assert.Equal(0, await store.GetUserCheckpointAsync("u"));

        await store.UpdateUserCheckpointAsync("u", direct[^1].SeqId);

        Assert.Equal(0, await store.GetReadMarkerAsync("u", "group"));
        Assert.Equal(3, await store.GetUnreadTotalAsync("u"));
        await store.UpdateReadMarkerAsync("v", "group", group[0].SeqId);
        Assert.Equal(3, await store.GetUnreadCountAsync("u", "group"));
        Assert.Equal(2, await store.GetUnreadCountAsync("v", "group"));
    }

    [SkippableFact]
    public async Task A_read_marker_never_moves_backwards_and_counts_only_what_is_above_it()
    {
        MessageStore store = await OpenAsync();
        List<Message> sent = await AddManyAsync(store, "c", 10, Users("u"));
        await AddManyAsync(store, "other", 5, Users("u"));

        await store.UpdateReadMarkerAsync("u", "c", sent[3].SeqId);
        Assert.Equal(6, await store.GetUnreadCountAsync("u", "c"));

        await store.UpdateReadMarkerAsync("u", "c", sent[1].SeqId);
        await store.UpdateReadMarkerAsync("u", "c", 0);

        Assert.Equal(sent[3].SeqId, await store.GetReadMarkerAsync("u", "c"));
        Assert.Equal(6, await store.GetUnreadCountAsync("u", "c"));
        Assert.Equal(11, await store.GetUnreadTotalAsync("u"));
        InboxEntry entry = Assert.Single(await store.GetInboxAsync("u", 10), e => e.ConvId == "c");
        Assert.Equal(sent[3].SeqId, entry.ReadSeqId);
        Assert.Equal(6, entry.UnreadCount);
    }

    [SkippableFact]
    public async Task A_users_own_messages_count_as_read_and_still_move_the_conversation_up()
    {
        MessageStore store = await OpenAsync();
        await store.AddMessageAsync("old", 8, Bytes("from 8"), Users("7", "8"));
        await store.AddMessageAsync("chat", 8, Bytes("from 8"), Users("7", "8"));
        Message own = await store.AddMessageAsync("old", 7, Bytes("from 7"), Users("7", "8"));

        Assert.Equal(1, await store.GetUnreadCountAsync("7", "old"));
        Assert.Equal(1, await store.GetUnreadCountAsync("8", "old"));
        Assert.Equal(1, await store.GetUnreadCountAsync("7", "chat"));
        Assert.Equal(0, await store.GetUnreadCountAsync("8", "chat"));
        Assert.Equal(2, await store.GetUnreadTotalAsync("7"));
        IReadOnlyList<InboxEntry> inbox = await store.GetInboxAsync("7", 10);
        Assert.Equal(["old", "chat"], inbox.Select(e => e.ConvId));
        Assert.Equal(own.SeqId, inbox[0].LastMessage.SeqId);
    }

    [SkippableFact]
    public async Task An_inbox_read_again_shows_each_new_message_and_marker_at_once()
    {
        MessageStore store = await OpenAsync();
        await AddManyAsync(store, "a", 2, Users("u"), "a");
        await AddManyAsync(store, "b", 1, Users("u"), "b");
        store = await ReopenAsync(store);
        Assert.Equal(["b", "a"], (await store.GetInboxAsync("u", 10)).Select(e => e.ConvId));
        Assert.Equal(3, await store.GetUnreadTotalAsync("u"));

        Message sent = await store.AddMessageAsync("a", 1, Bytes("a-new"), Users("u"));

        IReadOnlyList<InboxEntry> inbox = await store.GetInboxAsync("u", 10);
        Assert.Equal(["a", "b"], inbox.Select(e => e.ConvId));
        Assert.Equal(sent.SeqId, inbox[0].LastMessage.SeqId);
        Assert.Equal(3, inbox[0].UnreadCount);
        Assert.Equal(4, await store.GetUnreadTotalAsync("u"));

        await store.UpdateReadMarkerAsync("u", "a", sent.SeqId);

        inbox = await store.GetInboxAsync("u", 10);
        Assert.Equal((sent.SeqId, 0L), (inbox[0].ReadSeqId, inbox[0].UnreadCount));
        Assert.Equal(1, await store.GetUnreadTotalAsync("u"));
        Assert.Equal(["b"], (await store.GetInboxAsync("u", 10, sent.SeqId)).Select(e => e.ConvId));
    }

    [SkippableFact]
    public async Task Refused_read_markers_and_inbox_reads_write_nothing()
    {
        MessageStore store = await OpenAsync();
        List<Message> sent = await AddManyAsync(store, "c", 3, Users("u"));
        await AddManyAsync(store, "later", 2, Users("v"));

        Assert.Equal("seqId", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.UpdateReadMarkerAsync("u", "c", sent[^1].SeqId + 1))).ParamName);
        Assert.Equal("seqId", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.UpdateReadMarkerAsync("u", "c", -1))).ParamName);
        Assert.Equal("seqId", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.UpdateReadMarkerAsync("u", "unknown", 1))).ParamName);
        Assert.Equal("userId", (await Assert.ThrowsAnyAsync<ArgumentException>(() => store.UpdateReadMarkerAsync(" ", "c", 1))).ParamName);
        Assert.Equal("convId", (await Assert.ThrowsAnyAsync<ArgumentException>(() => store.UpdateReadMarkerAsync("u", "c\n", 1))).ParamName);
        Assert.Equal("userId", (await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetInboxAsync(null!, 10))).ParamName);
        Assert.Equal("limit", (await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetInboxAsync("u", 0))).ParamName);
        Assert.Equal("beforeSeqId", (await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetInboxAsync("u", 10, -1))).ParamName);
        Assert.Equal("convId", (await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetUnreadCountAsync("u", ""))).ParamName);
        Assert.Equal("userId", (await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetUnreadTotalAsync(new string('x', 257)))).ParamName);
        Assert.Equal("convId", (await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetReadMarkerAsync("u", null!))).ParamName);

        store = await ReopenAsync(store);
        Assert.Equal(0, await store.GetReadMarkerAsync("u", "c"));
        Assert.Equal(0, await store.GetReadMarkerAsync("u", "unknown"));
        Assert.Equal(3, await store.GetUnreadCountAsync("u", "c"));
        Assert.Equal(["c"], (await store.GetInboxAsync("u", 10)).Select(e => e.ConvId));
    }

    [SkippableFact]
    public async Task Inbox_markers_and_counts_survive_a_restart()
    {
        MessageStore store = await OpenAsync();
        List<Message> a = await AddManyAsync(store, "a", 4, Users("u", "v"), "a");
        List<Message> b = await AddManyAsync(store, "b", 3, Users("u"), "b");
        await store.UpdateReadMarkerAsync("u", "a", a[1].SeqId);
        await store.UpdateReadMarkerAsync("u", "b", b[^1].SeqId);
        List<InboxEntry> before = [.. await store.GetInboxAsync("u", 10)];

        store = await ReopenAsync(store);

        Assert.Equal(before.Select(e => (e.ConvId, e.LastMessage.SeqId, e.ReadSeqId, e.UnreadCount)),
            (await store.GetInboxAsync("u", 10)).Select(e => (e.ConvId, e.LastMessage.SeqId, e.ReadSeqId, e.UnreadCount)));
        Assert.Equal(2, await store.GetUnreadTotalAsync("u"));
        Assert.Equal(4, await store.GetUnreadTotalAsync("v"));
        await store.UpdateReadMarkerAsync("u", "a", a[0].SeqId);
        Assert.Equal(a[1].SeqId, await store.GetReadMarkerAsync("u", "a"));

        // Activity after the restart adds to what the index holds.
        await AddManyAsync(store, "b", 2, Users("u"), "b2");
        Assert.Equal(4, await store.GetUnreadTotalAsync("u"));
        Assert.Equal(["b", "a"], (await store.GetInboxAsync("u", 10)).Select(e => e.ConvId));
    }

    [SkippableFact]
    public async Task Counts_under_racing_writers_markers_and_deletes_equal_a_recount_from_the_timelines()
    {
        // Small blocks and journal: seals (which save the inbox activity to the index) run while readers read and writers write.
        MessageStore store = await OpenAsync(o =>
        {
            o.TimelineMaxSize = 8;
            o.JournalMaxBytes = 16 * 1024;
        });
        string[] users = [.. Enumerable.Range(0, 6).Select(i => $"{i}")];
        string[] convs = [.. Enumerable.Range(0, 5).Select(i => $"conv-{i}")];
        using var stop = new CancellationTokenSource();
        Task[] writers = [.. Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            var mine = new List<Message>();
            for (int i = 0; i < 150; i++)
            {
                string conv = convs[random.Next(convs.Length)];
                string[] to = [.. users.Where(_ => random.Next(3) > 0)];
                Message sent = await store.AddMessageAsync(conv, (uint)random.Next(8), Bytes($"w{w}-{i}"), to);
                mine.Add(sent);
                if (i % 10 == 0 && to.Length > 0)
                {
                    await store.UpdateReadMarkerAsync(to[0], conv, Math.Max(0, sent.SeqId - random.Next(3)));
                }

                if (i % 7 == 3)
                {
                    Message deleted = mine[random.Next(mine.Count)];
                    await store.DeleteMessageAsync(deleted.ConvId, deleted.SeqId);
                }
            }
        }))];
        Task reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (string user in users)
                {
                    Assert.True(await store.GetUnreadTotalAsync(user) >= 0);
                    await store.GetInboxAsync(user, 3);
                }
            }
        });

        await Task.WhenAll(writers);
        await stop.CancelAsync();
        await reader;

        await AssertInboxMatchesRecountAsync(store, users);
        store = await ReopenAsync(store);
        await AssertInboxMatchesRecountAsync(store, users);
    }

    /// <summary>Checks every user's inbox, counts and total against a recount from their timeline and read markers.</summary>
    internal static async Task AssertInboxMatchesRecountAsync(IMessageStore store, IEnumerable<string> users)
    {
        foreach (string user in users)
        {
            IReadOnlyList<Message> timeline = await store.GetUserMessagesAsync(user, 0, int.MaxValue);
            var expected = new List<(string Conv, long Last, long Marker, long Unread)>();
            foreach (IGrouping<string, Message> conv in timeline.Where(static m => m.Kind == MessageKind.Message).GroupBy(static m => m.ConvId))
            {
                long marker = await store.GetReadMarkerAsync(user, conv.Key);
                long unread = conv.Count(m => m.SeqId > marker && !m.IsDeleted && m.SenderId.ToString(System.Globalization.CultureInfo.InvariantCulture) != user);
                expected.Add((conv.Key, conv.Max(m => m.SeqId), marker, unread));
                Assert.Equal(unread, await store.GetUnreadCountAsync(user, conv.Key));
            }

            expected.Sort((x, y) => y.Last.CompareTo(x.Last));
            IReadOnlyList<InboxEntry> inbox = await store.GetInboxAsync(user, 1000);
            Assert.Equal(expected, inbox.Select(e => (e.ConvId, e.LastMessage.SeqId, e.ReadSeqId, e.UnreadCount)));
            Assert.Equal(expected.Sum(e => e.Unread), await store.GetUnreadTotalAsync(user));
        }
    }
}
