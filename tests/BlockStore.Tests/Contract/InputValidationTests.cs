namespace BlockStore.Tests.Contract;

/// <summary>Bad input is refused with an exception naming the parameter, and nothing is written.</summary>
public abstract partial class ContractTests
{
    public static TheoryData<string?> BadIds => new()
    {
        null,
        "",
        "   ",
        "tab\there",
        "new\nline",
        "nul\0",
        "unit\u001Fseparator",
        "delete\u007F",
        "next\u0085line",
        "c1\u009Fend",
        new string('x', 257),
        new string('é', 129),
    };

    [SkippableTheory]
    [MemberData(nameof(BadIds))]
    public async Task Bad_conversation_ids_are_refused_and_nothing_is_written(string? convId)
    {
        MessageStore store = await OpenAsync();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AddMessageAsync(convId!, 1, Bytes("x"), Users("u")));
        Assert.Equal("convId", error.ParamName);
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetConvMessagesAsync(convId!, 10));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetOrCreateConvTimelineAsync(convId!));
        await AssertNothingWrittenAsync(store);
    }

    [SkippableTheory]
    [MemberData(nameof(BadIds))]
    public async Task Bad_user_ids_are_refused_and_nothing_is_written(string? userId)
    {
        MessageStore store = await OpenAsync();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AddMessageAsync("c", 1, Bytes("x"), Users("ok", userId!)));
        Assert.Equal("userIds", error.ParamName);
        Assert.Equal("userId", (await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetUserCheckpointAsync(userId!))).ParamName);
        Assert.Equal("userId", (await Assert.ThrowsAnyAsync<ArgumentException>(() => store.UpdateUserCheckpointAsync(userId!, 0))).ParamName);
        Assert.Equal("userId", (await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetUserMessagesAsync(userId!, 0, 10))).ParamName);
        Assert.Equal("userId", (await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetMessagesAfterCheckpointAsync(userId!))).ParamName);
        Assert.Equal("userId", (await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetOrCreateUserTimelineAsync(userId!))).ParamName);
        await AssertNothingWrittenAsync(store);
    }

    [SkippableFact]
    public async Task Ids_with_unpaired_surrogates_are_refused()
    {
        // Built at run time: theory data would be serialised, and serialisation replaces the lone surrogate.
        string lonely = new(['a', (char)0xD800, 'b']);
        MessageStore store = await OpenAsync();

        Assert.Equal("convId", (await Assert.ThrowsAsync<ArgumentException>(() => store.AddMessageAsync(lonely, 1, Bytes("x"), []))).ParamName);
        Assert.Equal("userIds", (await Assert.ThrowsAsync<ArgumentException>(() => store.AddMessageAsync("c", 1, Bytes("x"), [lonely]))).ParamName);
        await AssertNothingWrittenAsync(store);
    }

    [SkippableFact]
    public async Task Oversized_data_is_refused()
    {
        MessageStore store = await OpenAsync(o => o.MaxMessageBytes = 1000);

        Assert.Equal("data", (await Assert.ThrowsAsync<ArgumentException>(() => store.AddMessageAsync("c", 1, new byte[1001], Users("u")))).ParamName);
        await store.AddMessageAsync("c", 1, new byte[1000], Users("u"));
        Assert.Equal(1, (await store.GetStatsAsync()).Messages);
    }

    [SkippableFact]
    public async Task Null_recipient_list_and_null_entries_are_refused()
    {
        MessageStore store = await OpenAsync();

        Assert.Equal("userIds", (await Assert.ThrowsAsync<ArgumentNullException>(() => store.AddMessageAsync("c", 1, Bytes("x"), null!))).ParamName);
        Assert.Equal("userIds", (await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AddMessageAsync("c", 1, Bytes("x"), ["a", null!]))).ParamName);
        await AssertNothingWrittenAsync(store);
    }

    [SkippableFact]
    public async Task Bad_limits_seq_ids_and_windows_are_refused()
    {
        MessageStore store = await OpenAsync();
        await store.AddMessageAsync("c", 1, Bytes("x"), Users("u"));
        DateTimeOffset now = DateTimeOffset.UtcNow;

        Assert.Equal("limit", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetConvMessagesAsync("c", 0))).ParamName);
        Assert.Equal("limit", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetConvMessagesAsync("c", -5))).ParamName);
        Assert.Equal("beforeSeqId", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetConvMessagesAsync("c", 5, -1))).ParamName);
        Assert.Equal("limit", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetUserMessagesAsync("u", 0, 0))).ParamName);
        Assert.Equal("afterSeqId", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetUserMessagesAsync("u", -1, 5))).ParamName);
        Assert.Equal("seqId", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.UpdateUserCheckpointAsync("u", -1))).ParamName);
        Assert.Equal("from", (await Assert.ThrowsAsync<ArgumentException>(() => store.GetConvMessagesByTimeAsync("c", now, now.AddTicks(-1), 5))).ParamName);
        Assert.Equal("limit", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetConvMessagesByTimeAsync("c", now, now, 0))).ParamName);
        Assert.Equal(0, await store.GetUserCheckpointAsync("u"));
    }

    [SkippableFact]
    public async Task One_bad_message_refuses_the_whole_batch()
    {
        MessageStore store = await OpenAsync();
        NewMessage good = new("c", 1, Bytes("good"), Users("u"));

        var badConv = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AddMessagesAsync([good, good with { ConvId = "" }, good]));
        var badUser = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AddMessagesAsync([good, good with { UserIds = ["ok", "bad\u0001"] }]));
        var badData = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AddMessagesAsync([good, good with { Data = new byte[70_000] }]));
        var nullUsers = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AddMessagesAsync([good, good with { UserIds = null! }]));
        var nullItem = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AddMessagesAsync([good, null!]));

        foreach (ArgumentException error in new[] { badConv, badUser, badData, nullUsers, nullItem })
        {
            Assert.Equal("batch", error.ParamName);
            Assert.Contains("batch[1]", error.Message, StringComparison.Ordinal);
        }

        await Assert.ThrowsAsync<ArgumentNullException>(() => store.AddMessagesAsync(null!));
        await AssertNothingWrittenAsync(store);
        Assert.Empty(await store.AddMessagesAsync([]));
    }

    [SkippableFact]
    public async Task More_recipients_than_MaxRecipients_are_refused_and_nothing_is_written()
    {
        MessageStore store = await OpenAsync(o => o.MaxRecipients = 100);
        string[] tooMany = Enumerable.Range(0, 101).Select(i => $"user-{i}").ToArray();

        var single = await Assert.ThrowsAsync<ArgumentException>(() => store.AddMessageAsync("c", 1, Bytes("x"), tooMany));
        var batch = await Assert.ThrowsAsync<ArgumentException>(() => store.AddMessagesAsync([new NewMessage("c", 1, Bytes("ok"), ["u"]), new NewMessage("c", 1, Bytes("x"), tooMany)]));

        Assert.Equal("userIds", single.ParamName);
        Assert.Contains("BlockStore:MaxRecipients", single.Message, StringComparison.Ordinal);
        Assert.Equal("batch", batch.ParamName);
        Assert.Contains("batch[1]", batch.Message, StringComparison.Ordinal);
        await AssertNothingWrittenAsync(store);
        await store.AddMessageAsync("c", 1, Bytes("x"), tooMany[..100]);
        Assert.Equal(100, (await store.GetStatsAsync()).UserTimelines);
    }

    [SkippableFact]
    public async Task Refused_input_leaves_the_next_SeqId_unchanged()
    {
        MessageStore store = await OpenAsync();
        Message first = await store.AddMessageAsync("c", 1, Bytes("a"), Users("u"));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AddMessageAsync("", 1, Bytes("b"), Users("u")));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AddMessagesAsync([new NewMessage("c", 1, Bytes("b"), ["\n"])]));

        Message second = await store.AddMessageAsync("c", 1, Bytes("c"), Users("u"));

        Assert.Equal(first.SeqId + 1, second.SeqId);
    }

    private async Task AssertNothingWrittenAsync(MessageStore store)
    {
        await store.FlushAsync();
        StoreStats stats = await store.GetStatsAsync();
        Assert.Equal(0, stats.Messages);
        Assert.Equal(0, stats.LastSeqId);
        Assert.Equal(0, stats.ConvTimelines);
        Assert.Equal(0, stats.UserTimelines);
        Assert.Equal(0, stats.JournalBytes);
    }
}
