namespace BlockStore.Tests.Contract;

/// <summary>The inbox under edits and deletes: deleted messages stop counting as unread; the last message shows its current state.</summary>
public abstract partial class ContractTests
{
    [SkippableFact]
    public async Task The_inbox_shows_an_edited_last_message_with_its_new_body_and_a_deleted_one_as_a_tombstone()
    {
        MessageStore store = await OpenAsync();
        await AddManyAsync(store, "a", 2, Users("u"), "a");
        List<Message> b = await AddManyAsync(store, "b", 2, Users("u"), "b");
        Assert.Equal("b-1", Text((await store.GetInboxAsync("u", 10))[0].LastMessage));

        await store.EditMessageAsync("b", b[1].SeqId, Bytes("b-1 edited"));

        IReadOnlyList<InboxEntry> inbox = await store.GetInboxAsync("u", 10);
        Assert.Equal(["b", "a"], inbox.Select(e => e.ConvId));
        Assert.Equal((b[1].SeqId, "b-1 edited", false), (inbox[0].LastMessage.SeqId, Text(inbox[0].LastMessage), inbox[0].LastMessage.IsDeleted));
        Assert.NotNull(inbox[0].LastMessage.EditedAt);

        await store.DeleteMessageAsync("b", b[1].SeqId);

        inbox = await store.GetInboxAsync("u", 10);
        Assert.Equal(["b", "a"], inbox.Select(e => e.ConvId));
        Assert.Equal((b[1].SeqId, true, 0), (inbox[0].LastMessage.SeqId, inbox[0].LastMessage.IsDeleted, inbox[0].LastMessage.Data.Length));
        Assert.Equal(1, inbox[0].UnreadCount);
        store = await ReopenAsync(store);
        inbox = await store.GetInboxAsync("u", 10);
        Assert.Equal((b[1].SeqId, true, 1L), (inbox[0].LastMessage.SeqId, inbox[0].LastMessage.IsDeleted, inbox[0].UnreadCount));
    }

    [SkippableFact]
    public async Task Deleted_messages_stop_counting_as_unread_on_either_side_of_the_read_marker_also_after_a_restart()
    {
        MessageStore store = await OpenAsync();
        List<Message> a = await AddManyAsync(store, "a", 5, Users("u", "v"), "a");
        await AddManyAsync(store, "b", 2, Users("u", "v"), "b");
        Message own = await store.AddMessageAsync("a", 7, Bytes("from 7"), Users("u", "7"));
        await store.UpdateReadMarkerAsync("u", "a", a[1].SeqId);

        // Counted in the index first, then deleted: the deletes are pending while the counts are read and a marker moves.
        store = await ReopenAsync(store);
        await store.DeleteMessageAsync("a", a[0].SeqId);
        await store.DeleteMessageAsync("a", a[3].SeqId);
        await store.DeleteMessageAsync("a", own.SeqId);
        await store.DeleteMessageAsync("a", own.SeqId);

        await AssertCountsAsync(store, vMarked: false);
        await store.UpdateReadMarkerAsync("v", "a", a[3].SeqId);
        await AssertCountsAsync(store, vMarked: true);
        await AssertInboxMatchesRecountAsync(store, ["u", "v", "7"]);

        store = await ReopenAsync(store);
        await AssertCountsAsync(store, vMarked: true);
        await AssertInboxMatchesRecountAsync(store, ["u", "v", "7"]);

        // Deleted before the index counted it: the message and its delete are pending together.
        Message late = await store.AddMessageAsync("b", 1, Bytes("late"), Users("u"));
        await store.DeleteMessageAsync("b", late.SeqId);
        Assert.Equal(2, await store.GetUnreadCountAsync("u", "b"));
        store = await ReopenAsync(store);
        Assert.Equal(2, await store.GetUnreadCountAsync("u", "b"));
        await AssertInboxMatchesRecountAsync(store, ["u", "v", "7"]);

        static async Task AssertCountsAsync(MessageStore store, bool vMarked)
        {
            // u read up to a[1]: a[2] and a[4] are unread, a[3] was deleted, a[0] was read and deleted, u's copy of 7's message too.
            Assert.Equal(2, await store.GetUnreadCountAsync("u", "a"));
            Assert.Equal(4, await store.GetUnreadTotalAsync("u"));
            Assert.Equal([2L, 2L], (await store.GetInboxAsync("u", 10)).Select(e => e.UnreadCount));
            Assert.Equal(vMarked ? 1 : 3, await store.GetUnreadCountAsync("v", "a"));
            Assert.Equal(vMarked ? 3 : 5, await store.GetUnreadTotalAsync("v"));
            Assert.Equal(0, await store.GetUnreadTotalAsync("7"));
        }
    }
}
