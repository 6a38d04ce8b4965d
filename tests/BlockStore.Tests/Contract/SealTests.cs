namespace BlockStore.Tests.Contract;

/// <summary>A group of full blocks sealed while appends go on loses nothing: the blocks filled meanwhile stay readable and are sealed later.</summary>
public abstract partial class ContractTests
{
    [SkippableFact]
    public async Task Blocks_filled_while_full_blocks_are_being_sealed_stay_readable_and_are_sealed_later()
    {
        // Two entries per block: each batch of 100 fills 50 blocks of the conversation and 50 of the user, so the sixth
        // passes the 512 full blocks that start a seal encoded off the writer, and each later batch fills blocks of the
        // same timelines before the turn that commits that seal.
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 2);
        var sent = new List<Message>();
        for (int batch = 0; batch < 14; batch++)
        {
            sent.AddRange(await AddManyAsync(store, "c", 100, Users("u"), prefix: $"b{batch}"));
            AssertSameMessages(sent, await ReadConversationAsync(store));
            AssertSameMessages(sent, await store.GetUserMessagesAsync("u", 0, sent.Count + 1));
        }

        Assert.True((await store.GetStatsAsync()).Blocks >= 512, "a seal of full blocks ran");
        store = await ReopenAsync(store, o => o.TimelineMaxSize = 2);
        AssertSameMessages(sent, await ReadConversationAsync(store));
        AssertSameMessages(sent, await store.GetUserMessagesAsync("u", 0, sent.Count + 1));

        static async Task<List<Message>> ReadConversationAsync(MessageStore store)
        {
            var newestFirst = new List<Message>();
            IReadOnlyList<Message> page = await store.GetConvMessagesAsync("c", 100);
            while (page.Count > 0)
            {
                newestFirst.AddRange(page.Reverse());
                page = await store.GetConvMessagesAsync("c", 100, page[0].SeqId);
            }

            newestFirst.Reverse();
            return newestFirst;
        }
    }
}
