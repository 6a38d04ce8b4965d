using BlockStore.Providers;

namespace BlockStore.Tests.Contract;

/// <summary>The provider's timeline index answers a lookup of many timelines exactly as it answers each one alone.</summary>
public abstract partial class ContractTests
{
    [SkippableFact]
    public async Task Looking_up_many_timelines_at_once_answers_as_one_lookup_each()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 2);
        await AddManyAsync(store, "long", 9, Users("reader", "other"));
        await AddManyAsync(store, "short", 1, Users("reader"));
        await store.GetOrCreateUserTimelineAsync("idle");
        await store.DisposeAsync();
        TimelineKey[] keys =
        [
            new(TimelineKind.User, "reader"), new(TimelineKind.Conversation, "missing"), new(TimelineKind.Conversation, "long"),
            new(TimelineKind.User, "idle"), new(TimelineKind.Conversation, "short"), new(TimelineKind.User, "long"),
        ];

        await using IBlockStoreSession session = await Fixture.CreateProvider().OpenAsync(CreateOptions());
        IReadOnlyList<TimelineMetadata?> many = await session.Timelines.GetTimelinesAsync(keys, 3);

        Assert.Equal(keys.Length, many.Count);
        for (int i = 0; i < keys.Length; i++)
        {
            TimelineMetadata? one = await session.Timelines.GetTimelineAsync(keys[i], 3);
            Assert.Equal(one is null, many[i] is null);
            if (one is not null)
            {
                Assert.Equal((one.Key, one.SealedBlocks, one.SealedEntries, one.LastSealedSeqId), (many[i]!.Key, many[i]!.SealedBlocks, many[i]!.SealedEntries, many[i]!.LastSealedSeqId));
                Assert.Equal(one.NewestBlocks, many[i]!.NewestBlocks);
            }
        }

        Assert.Equal([true, false, true, true, true, false], many.Select(static m => m is not null));
        Assert.Equal(3, many[2]!.NewestBlocks.Count);
        Assert.Empty(await session.Timelines.GetTimelinesAsync([], 3));
    }
}
