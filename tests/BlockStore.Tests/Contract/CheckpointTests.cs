using BlockStore.Providers;
using Microsoft.Extensions.Logging;

namespace BlockStore.Tests.Contract;

/// <summary>Checkpoints: start at 0, durable, never move backwards, never beyond the user's last SeqId.</summary>
public abstract partial class ContractTests
{
    [SkippableFact]
    public async Task Checkpoint_never_moves_backwards()
    {
        MessageStore store = await OpenAsync();
        List<Message> sent = await AddManyAsync(store, "c", 10, Users("u"));

        await store.UpdateUserCheckpointAsync("u", sent[6].SeqId);
        await store.UpdateUserCheckpointAsync("u", sent[2].SeqId);
        await store.UpdateUserCheckpointAsync("u", 0);

        Assert.Equal(sent[6].SeqId, await store.GetUserCheckpointAsync("u"));
        AssertSameMessages(sent[7..], await store.GetMessagesAfterCheckpointAsync("u"));
    }

    [SkippableFact]
    public async Task Checkpoint_beyond_the_users_last_SeqId_is_refused()
    {
        MessageStore store = await OpenAsync();
        List<Message> sent = await AddManyAsync(store, "c", 3, Users("u"));
        await AddManyAsync(store, "c", 3, Users("someone-else"));

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.UpdateUserCheckpointAsync("u", sent[^1].SeqId + 1));
        Assert.Equal("seqId", error.ParamName);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.UpdateUserCheckpointAsync("nobody", 1));
        Assert.Equal(0, await store.GetUserCheckpointAsync("u"));

        await store.UpdateUserCheckpointAsync("u", sent[^1].SeqId);
        Assert.Equal(sent[^1].SeqId, await store.GetUserCheckpointAsync("u"));
    }

    [SkippableFact]
    public async Task Checkpoints_are_durable_across_restart()
    {
        MessageStore store = await OpenAsync();
        List<Message> sent = await AddManyAsync(store, "c", 5, Users("u1", "u2"));
        await store.UpdateUserCheckpointAsync("u1", sent[3].SeqId);
        await store.UpdateUserCheckpointAsync("u2", sent[1].SeqId);

        store = await ReopenAsync(store);

        Assert.Equal(sent[3].SeqId, await store.GetUserCheckpointAsync("u1"));
        Assert.Equal(sent[1].SeqId, await store.GetUserCheckpointAsync("u2"));
        await store.UpdateUserCheckpointAsync("u1", sent[0].SeqId);
        Assert.Equal(sent[3].SeqId, await store.GetUserCheckpointAsync("u1"));
    }

    [SkippableFact]
    public async Task Racing_checkpoint_updates_keep_the_highest()
    {
        MessageStore store = await OpenAsync();
        List<Message> sent = await AddManyAsync(store, "c", 200, Users("racer"));
        long[] targets = sent.Select(m => m.SeqId).OrderBy(_ => Random.Shared.Next()).ToArray();

        await Task.WhenAll(targets.Select(seq => Task.Run(() => store.UpdateUserCheckpointAsync("racer", seq))));

        Assert.Equal(sent[^1].SeqId, await store.GetUserCheckpointAsync("racer"));
    }

    [SkippableFact]
    public async Task A_checkpoint_beyond_the_recovered_timeline_is_clamped_to_its_end_and_logged_once()
    {
        // What a power cut under Durability.Normal can leave: the checkpoint log kept an update whose messages the journal lost.
        MessageStore store = await OpenAsync();
        List<Message> sent = await AddManyAsync(store, "c", 3, Users("u"));
        await store.DisposeAsync();
        IBlockStoreSession session = await Fixture.CreateProvider().OpenAsync(CreateOptions());
        await session.Checkpoints.SaveAsync([new KeyValuePair<string, long>("u", sent[^1].SeqId + 5)]);
        await session.DisposeAsync();
        var logs = new ListLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs));

        await using MessageStore reopened = await MessageStore.OpenAsync(CreateOptions(), Fixture.CreateProvider(), loggerFactory);

        Assert.Equal(sent[^1].SeqId, await reopened.GetUserCheckpointAsync("u"));
        Assert.Empty(await reopened.GetMessagesAfterCheckpointAsync("u"));
        Assert.Equal(sent[^1].SeqId, await reopened.GetUserCheckpointAsync("u"));
        await reopened.UpdateUserCheckpointAsync("u", sent[^1].SeqId);
        Assert.Single(logs.Entries, e => e.EventId == 10 && e.Level == LogLevel.Warning && e.Message.Contains("'u'", StringComparison.Ordinal));
    }
}
