using BlockStore.Providers;

namespace BlockStore.Tests.Contract;

/// <summary>Ids are data, never paths or SQL: hostile ids are stored and read back, and nothing appears outside DataDir.</summary>
public abstract partial class ContractTests
{
    public static TheoryData<string> HostileIds => new()
    {
        "../../etc/passwd",
        "..\\..\\windows\\system32",
        "x'; DROP TABLE blocks;--",
        "\"; DELETE FROM journal; --",
        "a/b\\c",
        "con",
        "NUL",
        "/absolute/path",
        "%2e%2e%2f",
        "名前と会話🙂",
        "Ünïcødé ÷ ñ",
        new string('z', 200),
        new string('字', 85),
        " leading and trailing ",
    };

    [SkippableTheory]
    [MemberData(nameof(HostileIds))]
    public async Task Hostile_ids_are_ordinary_ids(string id)
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 2);
        var sent = new List<Message>();
        for (int i = 0; i < 5; i++)
        {
            sent.Add(await store.AddMessageAsync(id, 1, Bytes($"{id}#{i}"), Users(id, "plain")));
        }

        await store.UpdateUserCheckpointAsync(id, sent[1].SeqId);
        store = await ReopenAsync(store, o => o.TimelineMaxSize = 2);

        AssertSameMessages(sent, await store.GetConvMessagesAsync(id, 10));
        AssertSameMessages(sent, await store.GetUserMessagesAsync(id, 0, 10));
        AssertSameMessages(sent[2..], await store.GetMessagesAfterCheckpointAsync(id));
        Assert.Equal(sent[1].SeqId, await store.GetUserCheckpointAsync(id));
        Assert.Equal(Fixture.UsesDataDir ? [DataDir] : [], Directory.GetFileSystemEntries(Root));
        Assert.Equal(2, (await store.GetStatsAsync()).UserTimelines);
    }

    [SkippableTheory]
    [MemberData(nameof(HostileIds))]
    public async Task Hostile_ids_are_ordinary_ids_in_the_inbox_index(string id)
    {
        IBlockStoreSession session = await Fixture.CreateProvider().OpenAsync(CreateOptions());
        try
        {
            // One save holds the id as user and as conversation, beside plain ids, and the largest SeqId.
            await session.Inbox.SaveActivityAsync(
                [new(id, "plain", 7, 2), new("plain", id, long.MaxValue, 3), new(id, id, 5, 1)], appliedThrough: long.MaxValue);
            await session.Inbox.SaveMarkersAsync([new(id, id, 5, 1)]);
            await session.Inbox.SaveActivityAsync([new(id, id, 9, -1, ReadRemoved: 1)], appliedThrough: long.MaxValue);

            Assert.Equal(new InboxRow("plain", 7, 2, 0, 0), await session.Inbox.GetAsync(id, "plain"));
            Assert.Equal(new InboxRow(id, long.MaxValue, 3, 0, 0), await session.Inbox.GetAsync("plain", id));
            Assert.Equal(new InboxRow(id, 9, 0, 5, 0), await session.Inbox.GetAsync(id, id));
            Assert.Equal([new InboxRow(id, 9, 0, 5, 0), new InboxRow("plain", 7, 2, 0, 0)], await session.Inbox.GetPageAsync(id, long.MaxValue, 10));
            Assert.Equal(long.MaxValue, await session.Inbox.GetAppliedThroughAsync());
        }
        finally
        {
            await session.DisposeAsync();
        }
    }
}
