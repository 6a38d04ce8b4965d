namespace BlockStore.Tests.Contract;

/// <summary>Edits and deletes (section 8): events with their own SeqId, history in current state, sync reads with every event, refusals that write nothing.</summary>
public abstract partial class ContractTests
{
    [SkippableFact]
    public async Task An_edit_changes_the_history_and_reaches_every_recipient_as_an_event()
    {
        MessageStore store = await OpenAsync();
        Message first = await store.AddMessageAsync("c", 1, Bytes("hello"), Users("u1", "u2"));
        Message second = await store.AddMessageAsync("c", 2, Bytes("wrold"), Users("u1", "u2"));

        Message edit = await store.EditMessageAsync("c", second.SeqId, Bytes("world"));

        Assert.Equal((MessageKind.Edit, second.SeqId, "world", 2u), (edit.Kind, edit.TargetSeqId, Text(edit), edit.SenderId));
        Assert.True(edit.SeqId > second.SeqId);
        IReadOnlyList<Message> history = await store.GetConvMessagesAsync("c", 10);
        Assert.Equal([(first.SeqId, "hello", false), (second.SeqId, "world", true)], history.Select(m => (m.SeqId, Text(m), m.EditedAt is not null)));
        Assert.Equal(edit.CreatedAt, history[1].EditedAt);
        Assert.Equal(second.CreatedAt, history[1].CreatedAt);
        foreach (string user in Users("u1", "u2"))
        {
            IReadOnlyList<Message> sync = await store.GetUserMessagesAsync(user, 0, 10);
            Assert.Equal([(first.SeqId, MessageKind.Message), (second.SeqId, MessageKind.Message), (edit.SeqId, MessageKind.Edit)], sync.Select(m => (m.SeqId, m.Kind)));
            Assert.Equal("world", Text(sync[1]));
        }

        Assert.Equal([first.SeqId, second.SeqId], (await store.GetConvMessagesByTimeAsync("c", first.CreatedAt, DateTimeOffset.MaxValue, 10)).Select(m => m.SeqId));
    }

    [SkippableFact]
    public async Task A_delete_leaves_a_tombstone_and_history_limits_count_messages_not_events()
    {
        MessageStore store = await OpenAsync();
        List<Message> sent = await AddManyAsync(store, "c", 5, Users("u"));

        Message delete = await store.DeleteMessageAsync("c", sent[4].SeqId);
        await store.DeleteMessageAsync("c", sent[2].SeqId);

        Assert.Equal((MessageKind.Delete, sent[4].SeqId, 0), (delete.Kind, delete.TargetSeqId, delete.Data.Length));
        IReadOnlyList<Message> latest = await store.GetConvMessagesAsync("c", 2);
        Assert.Equal([(sent[3].SeqId, false), (sent[4].SeqId, true)], latest.Select(m => (m.SeqId, m.IsDeleted)));
        Assert.True(latest[1].Data.IsEmpty);
        Assert.Equal([sent[1].SeqId, sent[2].SeqId], (await store.GetConvMessagesAsync("c", 2, sent[3].SeqId)).Select(m => m.SeqId));
        IReadOnlyList<Message> sync = await store.GetUserMessagesAsync("u", 0, 10);
        Assert.Equal(7, sync.Count);
        Assert.Equal([MessageKind.Delete, MessageKind.Delete], sync.Skip(5).Select(m => m.Kind));
        Assert.All(sync.Where(m => m.SeqId == sent[2].SeqId || m.SeqId == sent[4].SeqId), m => Assert.True(m.IsDeleted && m.Data.IsEmpty));
    }

    [SkippableFact]
    public async Task Deleting_twice_returns_the_first_delete_event_and_writes_nothing()
    {
        MessageStore store = await OpenAsync();
        Message message = await store.AddMessageAsync("c", 1, Bytes("oops"), Users("u"));
        Message first = await store.DeleteMessageAsync("c", message.SeqId);
        long last = (await store.GetStatsAsync()).LastSeqId;

        Message again = await store.DeleteMessageAsync("c", message.SeqId);

        Assert.Equal((first.SeqId, first.Kind, first.TargetSeqId, first.CreatedAt, first.SenderId), (again.SeqId, again.Kind, again.TargetSeqId, again.CreatedAt, again.SenderId));
        Assert.Equal(last, (await store.GetStatsAsync()).LastSeqId);
        Assert.Equal(2, (await store.GetUserMessagesAsync("u", 0, 10)).Count);
    }

    [SkippableFact]
    public async Task Bad_targets_and_bodies_are_refused_by_parameter_and_write_nothing()
    {
        MessageStore store = await OpenAsync(o => o.MaxMessageBytes = 1000);
        Message kept = await store.AddMessageAsync("c", 1, Bytes("kept"), Users("u"));
        Message other = await store.AddMessageAsync("d", 1, Bytes("elsewhere"), Users("u"));
        Message gone = await store.AddMessageAsync("c", 1, Bytes("gone"), Users("u"));
        Message edit = await store.EditMessageAsync("c", kept.SeqId, Bytes("kept, edited"));
        await store.DeleteMessageAsync("c", gone.SeqId);
        StoreStats before = await store.GetStatsAsync();

        Assert.Equal("seqId", (await Assert.ThrowsAsync<ArgumentException>(() => store.EditMessageAsync("c", other.SeqId, Bytes("x")))).ParamName);
        Assert.Equal("seqId", (await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteMessageAsync("c", other.SeqId))).ParamName);
        Assert.Equal("seqId", (await Assert.ThrowsAsync<ArgumentException>(() => store.EditMessageAsync("c", before.LastSeqId + 100, Bytes("x")))).ParamName);
        Assert.Equal("seqId", (await Assert.ThrowsAsync<ArgumentException>(() => store.EditMessageAsync("c", gone.SeqId, Bytes("x")))).ParamName);
        Assert.Equal("seqId", (await Assert.ThrowsAsync<ArgumentException>(() => store.EditMessageAsync("c", edit.SeqId, Bytes("x")))).ParamName);
        Assert.Equal("seqId", (await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteMessageAsync("c", edit.SeqId))).ParamName);
        Assert.Equal("seqId", (await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteMessageAsync("unknown", kept.SeqId))).ParamName);
        Assert.Equal("seqId", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.DeleteMessageAsync("c", -1))).ParamName);
        Assert.Equal("seqId", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.EditMessageAsync("c", 0, Bytes("x")))).ParamName);
        Assert.Equal("data", (await Assert.ThrowsAsync<ArgumentException>(() => store.EditMessageAsync("c", kept.SeqId, ReadOnlyMemory<byte>.Empty))).ParamName);
        Assert.Equal("data", (await Assert.ThrowsAsync<ArgumentException>(() => store.EditMessageAsync("c", kept.SeqId, new byte[1001]))).ParamName);
        Assert.Equal("convId", (await Assert.ThrowsAsync<ArgumentException>(() => store.EditMessageAsync(" ", kept.SeqId, Bytes("x")))).ParamName);
        Assert.Equal("convId", (await Assert.ThrowsAsync<ArgumentNullException>(() => store.DeleteMessageAsync(null!, kept.SeqId))).ParamName);

        StoreStats after = await store.GetStatsAsync();
        Assert.Equal((before.LastSeqId, before.Messages), (after.LastSeqId, after.Messages));
        Assert.Equal(["kept, edited", ""], (await store.GetConvMessagesAsync("c", 10)).Select(Text));
        Assert.Equal(5, (await store.GetUserMessagesAsync("u", 0, 10)).Count);
    }

    [SkippableFact]
    public async Task Changes_of_sealed_and_open_messages_survive_restarts_and_journal_trims()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 4);
        List<Message> sent = await AddManyAsync(store, "c", 10, Users("u"));
        await store.FlushAsync();
        Message edit = await store.EditMessageAsync("c", sent[1].SeqId, Bytes("edited while sealed"));
        await store.DeleteMessageAsync("c", sent[9].SeqId);

        // Each close seals everything and trims the journal: the changes must be carried over the trims.
        for (int restart = 0; restart < 3; restart++)
        {
            store = await ReopenAsync(store, o => o.TimelineMaxSize = 4);
            IReadOnlyList<Message> history = await store.GetConvMessagesAsync("c", 100);
            Assert.Equal(10, history.Count);
            Assert.Equal(("edited while sealed", edit.CreatedAt), (Text(history[1]), history[1].EditedAt));
            Assert.True(history[9].IsDeleted && history[9].Data.IsEmpty);
            Assert.Equal(sent.Take(9).Select(m => m.SeqId != sent[1].SeqId ? Text(m) : "edited while sealed"), history.Take(9).Select(Text));
        }

        Message next = await store.AddMessageAsync("c", 1, Bytes("next"), Users("u"));
        Assert.True(next.SeqId > edit.SeqId + 1);
        Assert.Equal("seqId", (await Assert.ThrowsAsync<ArgumentException>(() => store.EditMessageAsync("c", sent[9].SeqId, Bytes("x")))).ParamName);
    }

    [SkippableFact]
    public async Task Events_never_sealed_are_recovered_from_the_journal()
    {
        var faulty = new FaultyProvider(Fixture.CreateProvider()) { FailBlockWrites = true };
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 4, faulty);
        List<Message> sent = await AddManyAsync(store, "c", 6, Users("u"));
        Message edit = await store.EditMessageAsync("c", sent[0].SeqId, Bytes("first, edited"));
        Message delete = await store.DeleteMessageAsync("c", sent[5].SeqId);
        await store.DisposeAsync();

        store = await OpenAsync(o => o.TimelineMaxSize = 4);

        IReadOnlyList<Message> history = await store.GetConvMessagesAsync("c", 100);
        Assert.Equal(("first, edited", true), (Text(history[0]), history[5].IsDeleted));
        Assert.Equal([edit.SeqId, delete.SeqId], (await store.GetUserMessagesAsync("u", sent[5].SeqId, 10)).Select(m => m.SeqId));
        Assert.Equal("seqId", (await Assert.ThrowsAsync<ArgumentException>(() => store.EditMessageAsync("c", sent[5].SeqId, Bytes("x")))).ParamName);
    }

    [SkippableFact]
    public async Task A_deleted_body_is_not_returned_from_the_block_cache()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 3);
        List<Message> sent = await AddManyAsync(store, "c", 9, Users("u"), prefix: "secret");
        await store.FlushAsync();
        Assert.Equal(9, (await store.GetConvMessagesAsync("c", 100)).Count);
        Assert.Equal(9, (await store.GetUserMessagesAsync("u", 0, 100)).Count);

        await store.DeleteMessageAsync("c", sent[1].SeqId);
        await store.EditMessageAsync("c", sent[4].SeqId, Bytes("replaced"));

        Assert.DoesNotContain("secret-1", (await store.GetConvMessagesAsync("c", 100)).Select(Text));
        Assert.DoesNotContain("secret-4", (await store.GetConvMessagesAsync("c", 100)).Select(Text));
        Assert.DoesNotContain("secret-1", (await store.GetUserMessagesAsync("u", 0, 100)).Select(Text));
        Assert.DoesNotContain("secret-4", (await store.GetUserMessagesAsync("u", 0, 100)).Select(Text));
    }

    [SkippableFact]
    public async Task An_edit_of_a_message_deleted_later_loses_its_body_in_sync_reads()
    {
        MessageStore store = await OpenAsync();
        Message message = await store.AddMessageAsync("c", 1, Bytes("v1"), Users("u"));
        Message edit = await store.EditMessageAsync("c", message.SeqId, Bytes("v2"));
        await store.DeleteMessageAsync("c", message.SeqId);

        IReadOnlyList<Message> sync = await store.GetUserMessagesAsync("u", 0, 10);

        Assert.Equal([MessageKind.Message, MessageKind.Edit, MessageKind.Delete], sync.Select(m => m.Kind));
        Assert.All(sync, m => Assert.True(m.Data.IsEmpty));
        Assert.Equal(edit.SeqId, sync[1].SeqId);
    }

    [SkippableFact]
    public async Task A_sync_client_after_its_checkpoint_gets_only_the_events_in_order()
    {
        MessageStore store = await OpenAsync();
        List<Message> sent = await AddManyAsync(store, "c", 3, Users("u", "v"));
        await store.UpdateUserCheckpointAsync("u", sent[^1].SeqId);

        Message edit = await store.EditMessageAsync("c", sent[0].SeqId, Bytes("changed"));
        Message delete = await store.DeleteMessageAsync("c", sent[1].SeqId);

        IReadOnlyList<Message> unread = await store.GetMessagesAfterCheckpointAsync("u");
        Assert.Equal([(edit.SeqId, MessageKind.Edit, sent[0].SeqId), (delete.SeqId, MessageKind.Delete, sent[1].SeqId)], unread.Select(m => (m.SeqId, m.Kind, m.TargetSeqId)));
        Assert.Equal("changed", Text(unread[0]));
    }

    [SkippableFact]
    public async Task Watches_carry_edit_and_delete_events_in_sync_order()
    {
        MessageStore store = await OpenAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Message message = await store.AddMessageAsync("c", 1, Bytes("hi"), Users("u"));
        await using IAsyncEnumerator<Message> user = store.WatchUserAsync("u", 0, cts.Token).GetAsyncEnumerator(cts.Token);
        await using IAsyncEnumerator<Message> conv = store.WatchConvAsync("c", 0, cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await user.MoveNextAsync());
        Assert.True(await conv.MoveNextAsync());

        Message edit = await store.EditMessageAsync("c", message.SeqId, Bytes("hello"));
        Message delete = await store.DeleteMessageAsync("c", message.SeqId);

        foreach (IAsyncEnumerator<Message> watch in new[] { user, conv })
        {
            Assert.True(await watch.MoveNextAsync());
            Assert.Equal((edit.SeqId, MessageKind.Edit), (watch.Current.SeqId, watch.Current.Kind));
            Assert.True(watch.Current.Data.IsEmpty);
            Assert.True(await watch.MoveNextAsync());
            Assert.Equal((delete.SeqId, MessageKind.Delete), (watch.Current.SeqId, watch.Current.Kind));
        }
    }

    [SkippableFact]
    public async Task A_large_group_keeps_its_recipient_list_once_per_block_not_once_per_message()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 100);
        string[] members = Enumerable.Range(0, 2000).Select(i => $"member-with-a-longish-id-{i:D5}").ToArray();
        for (int i = 0; i < 100; i++)
        {
            await store.AddMessageAsync("big-group", (uint)(i % 50), Bytes($"message {i}"), members);
        }

        await store.FlushAsync();

        Assert.Equal(1, (await store.GetOrCreateConvTimelineAsync("big-group")).SealedBlockCount);
        Message edit = await store.EditMessageAsync("big-group", 1, Bytes("edited"));
        Assert.Equal(edit.SeqId, (await store.GetUserMessagesAsync(members[^1], 100, 10)).Single().SeqId);
    }
}
