using BlockStore.Providers;
using BlockStore.Providers.File;

namespace BlockStore.Tests.Providers.FileSystem;

/// <summary>The File inbox index on its sorted table: memory holds only what is not merged yet, whatever the number of users.</summary>
public sealed class FileInboxIndexTests : FileProviderTestBase
{
    private const int Users = 20_000;
    private const int PerSave = 1_000;
    private const int Conversations = 50;

    [Fact]
    public async Task Twenty_thousand_users_leave_in_memory_only_the_changes_since_the_last_merge_and_erasing_a_conversation_keeps_the_rest()
    {
        static void Small(FileBlockStoreOptions f) => f.SnapshotThresholdBytes = 64 * 1024;
        IBlockStoreSession session = await OpenAsync(configureFile: Small);
        var index = (FileInboxStore)session.Inbox;
        for (int start = 0; start < Users; start += PerSave)
        {
            InboxActivity[] activity = [.. Enumerable.Range(start, PerSave).Select(u => new InboxActivity($"user-{u}", $"conv-{u % Conversations}", u + 1, 2))];
            await index.SaveActivityAsync(activity, start + PerSave);

            // One save is one log record of about 70 KiB, past the threshold: the table merges it into its run at once.
            Assert.True(index.UnmergedChanges <= 2 * PerSave, $"{index.UnmergedChanges} changes unmerged after {start + PerSave} users");
        }

        await session.Inbox.SaveMarkersAsync([new InboxMarker("user-7", "conv-7", 8, 1)]);
        session = await ReopenAsync(session, configureFile: Small);
        Assert.Equal(Users, await session.Inbox.GetAppliedThroughAsync());
        Assert.Equal(new InboxRow("conv-7", 8, 2, 8, 1), await session.Inbox.GetAsync("user-7", "conv-7"));
        Assert.Equal(1, await session.Inbox.GetUnreadTotalAsync("user-7"));
        Assert.Equal([new InboxRow("conv-19", 19_970, 2, 0, 0)], await session.Inbox.GetPageAsync("user-19969", long.MaxValue, 10));

        await session.Inbox.DeleteConversationAsync("conv-7");
        session = await ReopenAsync(session, configureFile: Small);
        for (int u = 0; u < Users; u += 997)
        {
            InboxRow? row = await session.Inbox.GetAsync($"user-{u}", $"conv-{u % Conversations}");
            Assert.Equal(u % Conversations != 7, row is not null);
        }

        Assert.Null(await session.Inbox.GetAsync("user-19957", "conv-7"));
        Assert.NotNull(await session.Inbox.GetAsync("user-19958", "conv-8"));
    }
}
