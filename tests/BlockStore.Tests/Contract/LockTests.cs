namespace BlockStore.Tests.Contract;

/// <summary>One owner per data set: a second open fails with <see cref="StoreLockedException"/> until the first closes.</summary>
public abstract partial class ContractTests
{
    [Fact]
    public async Task A_second_open_of_the_same_data_set_is_refused()
    {
        MessageStore first = await OpenAsync();
        await first.AddMessageAsync("c", 1, Bytes("x"), []);

        var error = await Assert.ThrowsAsync<StoreLockedException>(() => MessageStore.OpenAsync(CreateOptions(), Fixture.CreateProvider()));

        Assert.Contains("already open", error.Message, StringComparison.Ordinal);
        Assert.Single(await first.GetConvMessagesAsync("c", 10));
    }

    [Fact]
    public async Task The_data_set_opens_again_once_the_owner_closed_it()
    {
        MessageStore first = await OpenAsync();
        await first.AddMessageAsync("c", 1, Bytes("x"), []);
        await first.DisposeAsync();

        MessageStore second = await OpenAsync();

        Assert.Single(await second.GetConvMessagesAsync("c", 10));
    }
}
