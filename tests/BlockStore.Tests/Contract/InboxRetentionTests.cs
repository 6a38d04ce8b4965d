namespace BlockStore.Tests.Contract;

/// <summary>The inbox under retention: expired messages stop counting as unread, and a conversation with nothing left leaves the list.</summary>
public abstract partial class ContractTests
{
    [SkippableFact]
    public async Task Messages_expired_by_max_age_stop_counting_as_unread_also_after_compaction_and_a_restart()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        void Configure(BlockStoreOptions o)
        {
            o.Retention.MaxAge = TimeSpan.FromDays(1);
            o.TimelineMaxSize = 4;
        }

        MessageStore store = await OpenAsync(Configure);

        // Old messages first: CreatedAt never goes backwards along a timeline.
        var old = new List<NewMessage>();
        old.AddRange(Enumerable.Range(0, 3).Select(i => new NewMessage("gone", 1, Bytes($"gone {i}"), Users("u", "v")) { CreatedAt = now.AddDays(-3).AddMinutes(i) }));
        old.AddRange(Enumerable.Range(0, 5).Select(i => new NewMessage("mixed", 1, Bytes($"old {i}"), Users("u", "v", "w")) { CreatedAt = now.AddDays(-2).AddMinutes(i) }));
        IReadOnlyList<Message> stale = await store.AddMessagesAsync(old);
        List<Message> fresh = await AddManyAsync(store, "mixed", 3, Users("u", "v", "w"), "fresh");
        await AddManyAsync(store, "new", 2, Users("u"), "new");
        await store.UpdateReadMarkerAsync("v", "mixed", stale[4].SeqId);
        await store.UpdateReadMarkerAsync("w", "mixed", fresh[0].SeqId);

        await AssertCountsAsync(store);
        store = await ReopenAsync(store, Configure);
        await AssertCountsAsync(store);
        await store.CompactAsync();
        await AssertCountsAsync(store);
        store = await ReopenAsync(store, Configure);
        await AssertCountsAsync(store);

        async Task AssertCountsAsync(MessageStore store)
        {
            IReadOnlyList<InboxEntry> inbox = await store.GetInboxAsync("u", 10);
            Assert.Equal(["new", "mixed"], inbox.Select(e => e.ConvId));
            Assert.Equal([2L, 3L], inbox.Select(e => e.UnreadCount));
            Assert.Equal(fresh[^1].SeqId, inbox[1].LastMessage.SeqId);
            Assert.Equal(0, await store.GetUnreadCountAsync("u", "gone"));
            Assert.Equal(5, await store.GetUnreadTotalAsync("u"));
            Assert.Equal(3, await store.GetUnreadCountAsync("v", "mixed"));
            Assert.Equal(["mixed"], (await store.GetInboxAsync("v", 10)).Select(e => e.ConvId));
            Assert.Equal(3, await store.GetUnreadTotalAsync("v"));
            Assert.Equal(2, await store.GetUnreadTotalAsync("w"));
            await AssertInboxMatchesRecountAsync(store, ["u", "v", "w"]);
        }
    }

    [SkippableFact]
    public async Task Messages_expired_by_a_conversations_retention_stop_counting_as_unread_at_once_after_compaction_and_once_lifted()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 4);
        var old = new List<NewMessage>();
        old.AddRange(Enumerable.Range(0, 4).Select(i => new NewMessage("c", 1, Bytes($"old c {i}"), Users("u", "v")) { CreatedAt = now.AddDays(-2).AddMinutes(i) }));
        old.AddRange(Enumerable.Range(0, 2).Select(i => new NewMessage("d", 1, Bytes($"old d {i}"), Users("u")) { CreatedAt = now.AddDays(-2).AddMinutes(10 + i) }));
        IReadOnlyList<Message> stale = await store.AddMessagesAsync(old);
        await AddManyAsync(store, "c", 2, Users("u", "v"), "fresh");
        await store.UpdateReadMarkerAsync("v", "c", stale[1].SeqId);
        string[] users = ["u", "v"];

        Assert.Equal([6L, 2L], (await store.GetInboxAsync("u", 10)).Select(e => e.UnreadCount));
        Assert.Equal(4, await store.GetUnreadCountAsync("v", "c"));
        await AssertInboxMatchesRecountAsync(store, users);

        await store.SetRetentionAsync("c", TimeSpan.FromDays(1));
        Assert.Equal([2L, 2L], (await store.GetInboxAsync("u", 10)).Select(e => e.UnreadCount));
        Assert.Equal(2, await store.GetUnreadCountAsync("v", "c"));
        Assert.Equal(4, await store.GetUnreadTotalAsync("u"));
        await AssertInboxMatchesRecountAsync(store, users);

        await store.SetRetentionAsync("d", TimeSpan.FromDays(1));
        Assert.Equal(["c"], (await store.GetInboxAsync("u", 10)).Select(e => e.ConvId));
        Assert.Equal(0, await store.GetUnreadCountAsync("u", "d"));
        Assert.Equal(2, await store.GetUnreadTotalAsync("u"));
        await AssertInboxMatchesRecountAsync(store, users);

        // Lifted before a compaction removed them, the messages are back, and so are their counts.
        await store.SetRetentionAsync("d", null);
        Assert.Equal(4, await store.GetUnreadTotalAsync("u"));
        await AssertInboxMatchesRecountAsync(store, users);

        store = await ReopenAsync(store, o => o.TimelineMaxSize = 4);
        Assert.Equal(2, await store.GetUnreadCountAsync("v", "c"));
        await AssertInboxMatchesRecountAsync(store, users);
        await store.CompactAsync();
        await AssertInboxMatchesRecountAsync(store, users);
        store = await ReopenAsync(store, o => o.TimelineMaxSize = 4);
        Assert.Equal([2L, 2L], (await store.GetInboxAsync("u", 10)).Select(e => e.UnreadCount));
        await AssertInboxMatchesRecountAsync(store, users);

        // Lifted after a compaction removed them, the messages stay gone, and so do their counts.
        await store.SetRetentionAsync("c", null);
        Assert.Equal([2L, 2L], (await store.GetInboxAsync("u", 10)).Select(e => e.UnreadCount));
        Assert.Equal(2, await store.GetUnreadCountAsync("v", "c"));
        await AssertInboxMatchesRecountAsync(store, users);
        store = await ReopenAsync(store, o => o.TimelineMaxSize = 4);
        await AssertInboxMatchesRecountAsync(store, users);
    }

    [SkippableFact]
    public async Task Paging_an_inbox_skips_conversations_whose_messages_all_expired_without_short_pages()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        MessageStore store = await OpenAsync();
        await store.AddMessagesAsync([.. Enumerable.Range(0, 60).Select(i => new NewMessage($"conv-{i}", 1, Bytes($"m-{i}"), Users("u")) { CreatedAt = now.AddDays(-2).AddMinutes(i) })]);

        // Two conversations in three expire: in activity order they sit between the live ones.
        var live = Enumerable.Range(0, 60).Where(i => i % 3 == 0).Select(i => $"conv-{i}").ToList();
        foreach (int i in Enumerable.Range(0, 60).Where(i => i % 3 != 0))
        {
            await store.SetRetentionAsync($"conv-{i}", TimeSpan.FromDays(1));
        }

        var seen = new List<InboxEntry>();
        long cursor = 0;
        while (true)
        {
            IReadOnlyList<InboxEntry> page = await store.GetInboxAsync("u", 7, cursor);
            if (page.Count == 0)
            {
                break;
            }

            Assert.True(page.Count == 7 || seen.Count + page.Count == live.Count, $"a short page of {page.Count} after {seen.Count}");
            seen.AddRange(page);
            cursor = page[^1].LastMessage.SeqId;
        }

        Assert.Equal(live.OrderBy(c => c), seen.Select(e => e.ConvId).OrderBy(c => c));
        Assert.Equal(live.Count, await store.GetUnreadTotalAsync("u"));
        await AssertInboxMatchesRecountAsync(store, ["u"]);
    }
}
