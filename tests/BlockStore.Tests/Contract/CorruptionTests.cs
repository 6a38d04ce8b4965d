using BlockStore.Providers;

namespace BlockStore.Tests.Contract;

/// <summary>
/// Damaged block bytes are reported as <see cref="CorruptBlockException"/> naming the store and offset, never returned as
/// data; other timelines stay readable, and <see cref="IMessageStore.VerifyAsync"/> finds the damage.
/// </summary>
public abstract partial class ContractTests
{
    private static void Options(BlockStoreOptions o) => o.TimelineMaxSize = 4;

    [SkippableFact]
    public async Task A_flipped_byte_anywhere_in_a_block_is_reported_never_returned()
    {
        (List<Message> victim, List<Message> bystander) = await SeedAsync();
        StoreIndex location = await FirstBlockOfAsync(TimelineKind.Conversation, "victim");
        int[] positions = [0, 5, 6, 10, 20, 30, 44, 48, 52, location.Size / 2, location.Size - 5, location.Size - 1];

        foreach (int position in positions)
        {
            Fixture.DamageBlock(DataDir, location, position, 0x20);
            MessageStore store = await OpenAsync(Options);

            var error = await Assert.ThrowsAsync<CorruptBlockException>(() => store.GetConvMessagesAsync("victim", 100));
            Assert.Equal((location.StoreId, location.Offset), (error.StoreId, error.Offset));
            AssertSameMessages(victim[^4..], await store.GetConvMessagesAsync("victim", 4));
            AssertSameMessages(bystander, await store.GetConvMessagesAsync("bystander", 100));

            await store.DisposeAsync();
            Fixture.DamageBlock(DataDir, location, position, 0x20);
        }

        MessageStore repaired = await OpenAsync(Options);
        AssertSameMessages(victim, await repaired.GetConvMessagesAsync("victim", 100));
    }

    [SkippableFact]
    public async Task A_damaged_user_block_is_reported_and_the_conversations_stay_readable()
    {
        (List<Message> victim, _) = await SeedAsync();
        StoreIndex location = await FirstBlockOfAsync(TimelineKind.User, "reader");
        Fixture.DamageBlock(DataDir, location, location.Size - 10, 0x01);

        MessageStore store = await OpenAsync(Options);

        await Assert.ThrowsAsync<CorruptBlockException>(() => store.GetUserMessagesAsync("reader", 0, 100));
        await Assert.ThrowsAsync<CorruptBlockException>(() => store.GetMessagesAfterCheckpointAsync("reader"));
        AssertSameMessages(victim, await store.GetConvMessagesAsync("victim", 100));
    }

    [SkippableFact]
    public async Task Verify_finds_a_damaged_block_with_its_store_and_offset()
    {
        await SeedAsync();
        MessageStore store = await OpenAsync(Options);
        VerificationReport healthy = await store.VerifyAsync();
        await store.DisposeAsync();
        StoreIndex location = await FirstBlockOfAsync(TimelineKind.Conversation, "bystander");
        Fixture.DamageBlock(DataDir, location, 50, 0x80);

        store = await OpenAsync(Options);
        VerificationReport report = await store.VerifyAsync();

        Assert.True(healthy.IsHealthy, string.Join("; ", healthy.Problems.Select(p => p.Description)));
        Assert.True(healthy.BlocksChecked >= 8);
        Assert.Equal(healthy.BlocksChecked, report.BlocksChecked);
        Assert.Contains(report.Problems, p => p.StoreId == location.StoreId && p.Offset == location.Offset && p.TimelineId == "bystander");
        Assert.False(report.IsHealthy);
    }

    private async Task<(List<Message> Victim, List<Message> Bystander)> SeedAsync()
    {
        MessageStore store = await OpenAsync(Options);
        List<Message> victim = await AddManyAsync(store, "victim", 12, Users("reader"));
        List<Message> bystander = await AddManyAsync(store, "bystander", 12, Users("other"));
        await store.DisposeAsync();
        return (victim, bystander);
    }

    /// <summary>Asks the provider itself (the store closed) where the first sealed block of a timeline lives.</summary>
    private async Task<StoreIndex> FirstBlockOfAsync(TimelineKind kind, string id)
    {
        IBlockStoreSession session = await Fixture.CreateProvider().OpenAsync(CreateOptions(Options));
        try
        {
            await foreach (BlockInfo block in session.Timelines.LoadBlocksAsync())
            {
                if (block.Kind == kind && block.TimelineId == id)
                {
                    return block.Location;
                }
            }
        }
        finally
        {
            await session.DisposeAsync();
        }

        throw new InvalidOperationException($"No sealed block of {kind} '{id}'.");
    }
}
