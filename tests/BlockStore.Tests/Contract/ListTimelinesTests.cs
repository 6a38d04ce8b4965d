namespace BlockStore.Tests.Contract;

/// <summary>Listing timelines: every conversation and user timeline once, sealed or still journaled, also after a restart.</summary>
public abstract partial class ContractTests
{
    [SkippableFact]
    public async Task Listing_gives_every_timeline_once_whether_sealed_or_journaled()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 4);
        await AddManyAsync(store, "sealed", 9, Users("u1", "u2"));
        await store.AddMessageAsync("open", 1, Bytes("x"), Users("u3"));
        await store.GetOrCreateUserTimelineAsync("empty-user");

        Assert.Equal(["open", "sealed"], (await store.ListTimelinesAsync(TimelineKind.Conversation).ToListAsync()).Order());
        Assert.Equal(["empty-user", "u1", "u2", "u3"], (await store.ListTimelinesAsync(TimelineKind.User).ToListAsync()).Order());

        store = await ReopenAsync(store);
        Assert.Equal(["open", "sealed"], (await store.ListTimelinesAsync(TimelineKind.Conversation).ToListAsync()).Order());
        Assert.Equal(["empty-user", "u1", "u2", "u3"], (await store.ListTimelinesAsync(TimelineKind.User).ToListAsync()).Order());
    }
}
