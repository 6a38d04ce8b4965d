namespace BlockStore.Tests.Contract;

/// <summary>
/// Caller-given CreatedAt (imports keep the original times): stored as given, to the millisecond, when it does not go backwards
/// along any timeline the message joins; otherwise the whole batch is refused, naming <c>batch</c>, and nothing is written.
/// </summary>
public abstract partial class ContractTests
{
    private static readonly DateTimeOffset Past = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [SkippableFact]
    public async Task A_given_CreatedAt_is_stored_and_survives_a_restart()
    {
        MessageStore store = await OpenAsync();
        DateTimeOffset when = Past.AddTicks(12_345);

        IReadOnlyList<Message> stored = await store.AddMessagesAsync(
            [new NewMessage("c", 1, Bytes("old"), Users("u")) { CreatedAt = when }, new NewMessage("c", 1, Bytes("now"), Users("u"))]);

        DateTimeOffset expected = DateTimeOffset.FromUnixTimeMilliseconds(when.ToUnixTimeMilliseconds());
        Assert.Equal(expected, stored[0].CreatedAt);
        Assert.True(stored[1].CreatedAt > Past.AddDays(1), "a message without CreatedAt gets the store's clock");
        store = await ReopenAsync(store);
        AssertSameMessages(stored, await store.GetConvMessagesAsync("c", 10));
        AssertSameMessages(stored, await store.GetUserMessagesAsync("u", 0, 10));
        AssertSameMessages([stored[0]], await store.GetConvMessagesByTimeAsync("c", Past, Past.AddMinutes(1), 10));
    }

    [SkippableFact]
    public async Task An_older_CreatedAt_is_accepted_in_a_timeline_that_holds_nothing_newer()
    {
        MessageStore store = await OpenAsync();
        await store.AddMessageAsync("today", 1, Bytes("x"), Users("today-user"));

        IReadOnlyList<Message> imported = await store.AddMessagesAsync(
            [new NewMessage("old", 1, Bytes("a"), Users("u")) { CreatedAt = Past }, new NewMessage("old", 2, Bytes("b"), Users("u")) { CreatedAt = Past.AddSeconds(1) }]);

        Assert.Equal([Past, Past.AddSeconds(1)], imported.Select(m => m.CreatedAt));
        AssertSameMessages(imported, await store.GetConvMessagesAsync("old", 10));
    }

    [SkippableFact]
    public async Task A_CreatedAt_before_the_conversations_newest_message_refuses_the_batch()
    {
        MessageStore store = await OpenAsync();
        Message first = (await store.AddMessagesAsync([new NewMessage("c", 1, Bytes("a"), Users("u")) { CreatedAt = Past }]))[0];

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.AddMessagesAsync(
            [new NewMessage("other", 1, Bytes("fine"), []), new NewMessage("c", 1, Bytes("b"), []) { CreatedAt = Past.AddSeconds(-1) }]));

        Assert.Equal("batch", error.ParamName);
        Assert.Contains("batch[1].CreatedAt", error.Message);
        Assert.Contains("conversation 'c'", error.Message);
        AssertSameMessages([first], await store.GetConvMessagesAsync("c", 10));
        Assert.Empty(await store.GetConvMessagesAsync("other", 10));
        Assert.Equal(first.SeqId, (await store.GetStatsAsync()).LastSeqId);
    }

    [SkippableFact]
    public async Task A_CreatedAt_before_a_recipients_newest_message_refuses_the_batch()
    {
        MessageStore store = await OpenAsync();
        await store.AddMessagesAsync([new NewMessage("a", 1, Bytes("a"), Users("u")) { CreatedAt = Past.AddHours(1) }]);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.AddMessagesAsync(
            [new NewMessage("b", 1, Bytes("b"), Users("v", "u")) { CreatedAt = Past }]));

        Assert.Equal("batch", error.ParamName);
        Assert.Contains("user 'u'", error.Message);
        Assert.Empty(await store.GetConvMessagesAsync("b", 10));
        Assert.Empty(await store.GetUserMessagesAsync("v", 0, 10));
    }

    [SkippableFact]
    public async Task CreatedAt_going_backwards_inside_one_batch_refuses_the_batch()
    {
        MessageStore store = await OpenAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.AddMessagesAsync(
            [new NewMessage("c", 1, Bytes("a"), Users("u")) { CreatedAt = Past.AddMinutes(5) }, new NewMessage("d", 1, Bytes("b"), Users("u")) { CreatedAt = Past }]));

        Assert.Equal("batch", error.ParamName);
        Assert.Contains("batch[1].CreatedAt", error.Message);
        Assert.Empty(await store.GetConvMessagesAsync("c", 10));
        Assert.Equal(0, (await store.GetStatsAsync()).Messages);
    }

    [SkippableFact]
    public async Task A_CreatedAt_in_the_future_or_before_1970_is_refused()
    {
        MessageStore store = await OpenAsync();

        var future = await Assert.ThrowsAsync<ArgumentException>(() => store.AddMessagesAsync(
            [new NewMessage("c", 1, Bytes("a"), []) { CreatedAt = DateTimeOffset.UtcNow.AddHours(1) }]));
        var ancient = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.AddMessagesAsync(
            [new NewMessage("c", 1, Bytes("a"), []) { CreatedAt = new DateTimeOffset(1969, 1, 1, 0, 0, 0, TimeSpan.Zero) }]));

        Assert.Equal("batch", future.ParamName);
        Assert.Contains("future", future.Message);
        Assert.Equal("batch", ancient.ParamName);
        Assert.Equal(0, (await store.GetStatsAsync()).Messages);
    }

    [SkippableFact]
    public async Task Messages_added_after_an_import_never_get_an_earlier_time()
    {
        MessageStore store = await OpenAsync();
        DateTimeOffset recent = DateTimeOffset.UtcNow.AddMilliseconds(-1);
        Message imported = (await store.AddMessagesAsync([new NewMessage("c", 1, Bytes("a"), Users("u")) { CreatedAt = recent }]))[0];

        Message next = await store.AddMessageAsync("c", 1, Bytes("b"), Users("u"));

        Assert.True(next.CreatedAt >= imported.CreatedAt);
    }
}
