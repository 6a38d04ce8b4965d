using BlockStore.Providers;

namespace BlockStore.Tests.Contract;

/// <summary>Erasing a user's or a conversation's inbox rows: in the provider's index, and through the engine's writer-side steps.</summary>
public abstract partial class ContractTests
{
    [SkippableFact]
    public async Task The_inbox_index_deletes_a_users_rows_and_a_conversations_rows_and_keeps_the_rest_across_a_reopen()
    {
        IBlockStoreSession session = await Fixture.CreateProvider().OpenAsync(CreateOptions());
        await session.Inbox.SaveActivityAsync(
            [new("u", "a", 3, 2), new("u", "b", 4, 1), new("v", "a", 3, 2), new("v", "b", 4, 1), new("w", "c", 5, 1)], appliedThrough: 5);
        await session.Inbox.SaveMarkersAsync([new("u", "a", 3, 2), new("v", "b", 4, 1)]);

        await session.Inbox.DeleteUserAsync("u");
        await session.Inbox.DeleteConversationAsync("a");
        await session.Inbox.DeleteUserAsync("nobody");
        await session.Inbox.DeleteConversationAsync("none");
        await AssertErasedAsync(session);
        await session.DisposeAsync();

        session = await Fixture.CreateProvider().OpenAsync(CreateOptions());
        try
        {
            await AssertErasedAsync(session);
            Assert.Equal(5, await session.Inbox.GetAppliedThroughAsync());

            // An erased user who gets messages again starts from nothing.
            await session.Inbox.SaveActivityAsync([new("u", "a", 6, 1)], appliedThrough: 6);
            Assert.Equal(new InboxRow("a", 6, 1, 0, 0), await session.Inbox.GetAsync("u", "a"));
        }
        finally
        {
            await session.DisposeAsync();
        }

        static async Task AssertErasedAsync(IBlockStoreSession session)
        {
            Assert.Null(await session.Inbox.GetAsync("u", "a"));
            Assert.Null(await session.Inbox.GetAsync("u", "b"));
            Assert.Empty(await session.Inbox.GetPageAsync("u", long.MaxValue, 10));
            Assert.Equal(0, await session.Inbox.GetUnreadTotalAsync("u"));
            Assert.Null(await session.Inbox.GetAsync("v", "a"));
            Assert.Equal([new InboxRow("b", 4, 1, 4, 1)], await session.Inbox.GetPageAsync("v", long.MaxValue, 10));
            Assert.Equal([new InboxRow("c", 5, 1, 0, 0)], await session.Inbox.GetPageAsync("w", long.MaxValue, 10));
            Assert.Equal(1, await session.Inbox.GetUnreadTotalAsync("w"));
        }
    }

    [SkippableFact]
    public async Task Forgetting_a_users_inbox_drops_its_saved_and_unsaved_activity_for_good()
    {
        MessageStore store = await OpenAsync();
        List<Message> a = await AddManyAsync(store, "a", 3, Users("u", "v"), "a");
        List<Message> b = await AddManyAsync(store, "b", 3, Users("u", "v"), "b");
        await store.UpdateReadMarkerAsync("u", "a", a[0].SeqId);

        // What came before the reopen is in the index; what comes after only in the journal and the writer's memory (and
        // concerns only the user, so no other activity is left to save).
        store = await ReopenAsync(store);
        await AddManyAsync(store, "c", 2, Users("u"), "c");
        Assert.Equal(7, await store.GetUnreadTotalAsync("u"));

        await store.RunOnWriterAsync(engine => engine.ForgetInboxUserAsync("u"));

        await AssertUserForgottenAsync(store, 6);

        // A message the user got before is deleted: it comes off the other recipients' counts and leaves no row for the user.
        await store.DeleteMessageAsync("b", b[0].SeqId);
        await AssertUserForgottenAsync(store, 5);
        store = await ReopenAsync(store);
        await AssertUserForgottenAsync(store, 5);

        // Messages after the erasure count from nothing.
        await store.AddMessageAsync("d", 1, Bytes("d"), Users("u"));
        Assert.Equal(1, await store.GetUnreadTotalAsync("u"));
        store = await ReopenAsync(store);
        Assert.Equal(1, await store.GetUnreadTotalAsync("u"));
        Assert.Equal(["d"], (await store.GetInboxAsync("u", 10)).Select(e => e.ConvId));

        static async Task AssertUserForgottenAsync(MessageStore store, long vUnread)
        {
            Assert.Empty(await store.GetInboxAsync("u", 10));
            Assert.Equal(0, await store.GetUnreadTotalAsync("u"));
            Assert.Equal(0, await store.GetUnreadCountAsync("u", "c"));
            Assert.Equal(0, await store.GetReadMarkerAsync("u", "a"));
            Assert.Equal(["b", "a"], (await store.GetInboxAsync("v", 10)).Select(e => e.ConvId));
            Assert.Equal(vUnread, await store.GetUnreadTotalAsync("v"));
        }
    }

    [SkippableFact]
    public async Task Forgetting_a_conversations_inbox_rows_drops_them_for_every_user_for_good()
    {
        MessageStore store = await OpenAsync();
        await AddManyAsync(store, "a", 3, Users("u", "v"), "a");
        await AddManyAsync(store, "b", 2, Users("u"), "b");
        store = await ReopenAsync(store);
        await AddManyAsync(store, "a", 1, Users("u", "v"), "a2");
        await AddManyAsync(store, "c", 2, Users("v"), "c");
        Assert.Equal(["a", "b"], (await store.GetInboxAsync("u", 10)).Select(e => e.ConvId));

        // A cached inbox must not outlive the erasure either.
        await store.RunOnWriterAsync(engine => engine.ForgetInboxConversationAsync("a"));

        await AssertConversationForgottenAsync(store);
        store = await ReopenAsync(store);
        await AssertConversationForgottenAsync(store);

        static async Task AssertConversationForgottenAsync(MessageStore store)
        {
            Assert.Equal(["b"], (await store.GetInboxAsync("u", 10)).Select(e => e.ConvId));
            Assert.Equal(["c"], (await store.GetInboxAsync("v", 10)).Select(e => e.ConvId));
            Assert.Equal(2, await store.GetUnreadTotalAsync("u"));
            Assert.Equal(2, await store.GetUnreadTotalAsync("v"));
            Assert.Equal(0, await store.GetUnreadCountAsync("v", "a"));
        }
    }
}
