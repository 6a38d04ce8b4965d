using System.Diagnostics;

namespace BlockStore.Tests.Contract;

/// <summary>One owner per data set, whatever the provider: a second open fails with <see cref="StoreLockedException"/> until the first closes, or waits for it when told to.</summary>
public abstract partial class ContractTests
{
    [SkippableFact]
    public async Task A_second_open_of_the_same_data_set_is_refused()
    {
        MessageStore first = await OpenAsync();
        await first.AddMessageAsync("c", 1, Bytes("x"), []);

        var error = await Assert.ThrowsAsync<StoreLockedException>(() => MessageStore.OpenAsync(CreateOptions(), Fixture.CreateProvider()));

        Assert.Contains("already open", error.Message, StringComparison.Ordinal);
        Assert.Single(await first.GetConvMessagesAsync("c", 10));
    }

    [SkippableFact]
    public async Task The_data_set_opens_again_once_the_owner_closed_it()
    {
        MessageStore first = await OpenAsync();
        await first.AddMessageAsync("c", 1, Bytes("x"), []);
        await first.DisposeAsync();

        MessageStore second = await OpenAsync();

        Assert.Single(await second.GetConvMessagesAsync("c", 10));
    }

    [SkippableFact]
    public async Task Another_provider_cannot_open_the_data_set_while_it_is_open()
    {
        RequireDataDir();
        MessageStore first = await OpenAsync();
        await first.AddMessageAsync("c", 1, Bytes("x"), []);
        IProviderFixture other = KnownProviders.OtherThan(Fixture);

        await Assert.ThrowsAsync<StoreLockedException>(() => MessageStore.OpenAsync(CreateOptions(), other.CreateProvider()));

        Assert.Single(await first.GetConvMessagesAsync("c", 10));
    }

    [SkippableFact]
    public async Task A_waiting_open_takes_over_once_the_owner_closes()
    {
        MessageStore first = await OpenAsync();
        await first.AddMessageAsync("c", 1, Bytes("x"), []);

        Task<MessageStore> waiting = MessageStore.OpenAsync(CreateOptions(o => o.LockWaitTimeout = TimeSpan.FromSeconds(30)), Fixture.CreateProvider());
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);
        await first.DisposeAsync();

        await using MessageStore second = await waiting.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Single(await second.GetConvMessagesAsync("c", 10));
    }

    [SkippableFact]
    public async Task A_waiting_open_gives_up_with_StoreLockedException_after_the_lock_wait_timeout()
    {
        await OpenAsync();
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAsync<StoreLockedException>(
            () => MessageStore.OpenAsync(CreateOptions(o => o.LockWaitTimeout = TimeSpan.FromMilliseconds(600)), Fixture.CreateProvider()));

        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(550), TimeSpan.FromSeconds(15));
    }

    [SkippableFact]
    public async Task A_waiting_open_can_be_cancelled()
    {
        await OpenAsync();
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => MessageStore.OpenAsync(CreateOptions(o => o.LockWaitTimeout = TimeSpan.FromMinutes(5)), Fixture.CreateProvider(), cancellationToken: cancellation.Token));
    }
}
