namespace BlockStore.Tests.Contract;

/// <summary>Erasure, retention and compaction (section 8): what each removes from reads at once, and what compaction keeps or removes for good.</summary>
public abstract partial class ContractTests
{
    [SkippableFact]
    public async Task Deleting_a_conversation_removes_its_history_and_every_reference_to_it()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 4);
        List<Message> gone = await AddManyAsync(store, "c1", 10, Users("u1", "u2"), "gone");
        List<Message> kept = await AddManyAsync(store, "c2", 3, Users("u1"), "kept");
        await store.UpdateUserCheckpointAsync("u1", kept[0].SeqId);

        await store.DeleteConversationAsync("c1");
        Message after = await store.AddMessageAsync("c1", 9, Bytes("new life"), Users("u2"));

        for (int round = 0; round < 3; round++)
        {
            Assert.Equal([after.SeqId], (await store.GetConvMessagesAsync("c1", 50)).Select(m => m.SeqId));
            Assert.Equal([after.SeqId], (await store.GetConvMessagesByTimeAsync("c1", DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue, 50)).Select(m => m.SeqId));
            Assert.Equal(kept.Select(m => m.SeqId), (await store.GetUserMessagesAsync("u1", 0, 50)).Select(m => m.SeqId));
            Assert.Equal([after.SeqId], (await store.GetUserMessagesAsync("u2", 0, 50)).Select(m => m.SeqId));
            Assert.Equal(kept.Skip(1).Select(m => m.SeqId), (await store.GetMessagesAfterCheckpointAsync("u1")).Select(m => m.SeqId));
            Assert.Equal(["c2"], (await store.GetInboxAsync("u1", 10)).Select(e => e.ConvId));
            if (round == 0)
            {
                CompactionReport report = await store.CompactAsync();
                Assert.Equal(10 + 10 + 10, report.EntriesRemoved);
            }
            else if (round == 1)
            {
                store = await ReopenAsync(store, o => o.TimelineMaxSize = 4);
            }
        }

        Assert.Empty((await store.VerifyAsync()).Problems);
        Assert.True(gone[^1].SeqId < after.SeqId);
    }

    [SkippableFact]
    public async Task Deleting_a_user_removes_the_timeline_checkpoint_and_inbox_but_not_the_conversation()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 4);
        List<Message> sent = await AddManyAsync(store, "c", 9, Users("u1", "u2"));
        await store.UpdateUserCheckpointAsync("u1", sent[5].SeqId);
        await store.UpdateReadMarkerAsync("u1", "c", sent[5].SeqId);

        await store.DeleteUserAsync("u1");

        Assert.Empty(await store.GetUserMessagesAsync("u1", 0, 50));
        Assert.Equal(0, await store.GetUserCheckpointAsync("u1"));
        Assert.Empty(await store.GetInboxAsync("u1", 10));
        Assert.Equal(9, (await store.GetConvMessagesAsync("c", 50)).Count);
        Assert.Equal(9, (await store.GetUserMessagesAsync("u2", 0, 50)).Count);

        Message later = await store.AddMessageAsync("c", 1, Bytes("welcome back"), Users("u1", "u2"));
        await store.CompactAsync();
        store = await ReopenAsync(store, o => o.TimelineMaxSize = 4);

        Assert.Equal([later.SeqId], (await store.GetUserMessagesAsync("u1", 0, 50)).Select(m => m.SeqId));
        Assert.Equal(0, await store.GetUserCheckpointAsync("u1"));
        Assert.Equal(10, (await store.GetUserMessagesAsync("u2", 0, 50)).Count);
        Assert.Equal(10, (await store.GetConvMessagesAsync("c", 50)).Count);
        Assert.Empty((await store.VerifyAsync()).Problems);
    }

    [SkippableFact]
    public async Task Erasing_a_sender_turns_its_messages_into_tombstones_everywhere_and_keeps_later_ones()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 3);
        Message mine = await store.AddMessageAsync("c1", 7, Bytes("mine"), Users("u"));
        Message theirs = await store.AddMessageAsync("c1", 8, Bytes("theirs"), Users("u"));
        Message elsewhere = await store.AddMessageAsync("c2", 7, Bytes("elsewhere"), Users("u"));
        Message edit = await store.EditMessageAsync("c2", elsewhere.SeqId, Bytes("elsewhere, edited"));

        await store.EraseSenderAsync(7);
        Message later = await store.AddMessageAsync("c1", 7, Bytes("later"), Users("u"));

        Assert.Equal("seqId", (await Assert.ThrowsAsync<ArgumentException>(() => store.EditMessageAsync("c1", mine.SeqId, Bytes("back")))).ParamName);
        for (int round = 0; round < 3; round++)
        {
            IReadOnlyList<Message> c1 = await store.GetConvMessagesAsync("c1", 10);
            Assert.Equal([(mine.SeqId, true, ""), (theirs.SeqId, false, "theirs"), (later.SeqId, false, "later")], c1.Select(m => (m.SeqId, m.IsDeleted, Text(m))));
            IReadOnlyList<Message> c2 = await store.GetConvMessagesAsync("c2", 10);
            Assert.Equal([(elsewhere.SeqId, true, "")], c2.Select(m => (m.SeqId, m.IsDeleted, Text(m))));
            IReadOnlyList<Message> sync = await store.GetUserMessagesAsync("u", 0, 10);
            Assert.Equal([mine.SeqId, theirs.SeqId, elsewhere.SeqId, edit.SeqId, later.SeqId], sync.Select(m => m.SeqId));
            Assert.Equal(["", "theirs", "", "", "later"], sync.Select(Text));
            if (round == 0)
            {
                CompactionReport report = await store.CompactAsync();
                Assert.Equal(3, report.BodiesErased);
            }
            else if (round == 1)
            {
                store = await ReopenAsync(store, o => o.TimelineMaxSize = 3);
            }
        }
    }

    [SkippableFact]
    public async Task Retention_expires_messages_by_age_at_once_and_compaction_removes_them_for_good()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 4);
        var old = Enumerable.Range(0, 6).Select(i => new NewMessage("c", 1, Bytes($"old {i}"), Users("u")) { CreatedAt = now.AddDays(-3).AddMinutes(i) }).ToList();
        IReadOnlyList<Message> expired = await store.AddMessagesAsync(old);
        Message other = (await store.AddMessagesAsync([new NewMessage("d", 1, Bytes("other"), Users("u")) { CreatedAt = now.AddDays(-2) }]))[0];
        List<Message> fresh = await AddManyAsync(store, "c", 3, Users("u"), "fresh");

        await store.SetRetentionAsync("c", TimeSpan.FromDays(1));

        Assert.Equal(fresh.Select(m => m.SeqId), (await store.GetConvMessagesAsync("c", 50)).Select(m => m.SeqId));
        Assert.Equal([other.SeqId, .. fresh.Select(m => m.SeqId)], (await store.GetUserMessagesAsync("u", 0, 50)).Select(m => m.SeqId));
        await store.SetRetentionAsync("c", null);
        Assert.Equal(9, (await store.GetConvMessagesAsync("c", 50)).Count);

        await store.SetRetentionAsync("c", TimeSpan.FromDays(1));
        CompactionReport report = await store.CompactAsync();
        await store.SetRetentionAsync("c", null);
        store = await ReopenAsync(store, o => o.TimelineMaxSize = 4);

        Assert.Equal(12, report.EntriesRemoved);
        Assert.Equal(fresh.Select(m => m.SeqId), (await store.GetConvMessagesAsync("c", 50)).Select(m => m.SeqId));
        Assert.Equal([other.SeqId, .. fresh.Select(m => m.SeqId)], (await store.GetUserMessagesAsync("u", 0, 50)).Select(m => m.SeqId));
        Assert.True(expired[^1].SeqId < fresh[0].SeqId);
        Assert.Empty((await store.VerifyAsync()).Problems);

        store = await ReopenAsync(store, o => o.Retention.MaxAge = TimeSpan.FromDays(1));
        Assert.Empty(await store.GetConvMessagesAsync("d", 50));
        await store.SetRetentionAsync("d", TimeSpan.FromDays(30));
        Assert.Equal([other.SeqId], (await store.GetConvMessagesAsync("d", 50)).Select(m => m.SeqId));
    }

    [SkippableFact]
    public async Task Compaction_rewrites_blocks_message_by_message_and_reads_stay_the_same()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 8);
        List<Message> sent = await AddManyAsync(store, "c", 64, Users("u1", "u2"));
        var random = new Random(5);
        HashSet<long> deleted = [.. sent.Where(_ => random.Next(2) == 0).Select(m => m.SeqId)];
        foreach (long seqId in deleted)
        {
            await store.DeleteMessageAsync("c", seqId);
        }

        IReadOnlyList<Message> history = await store.GetConvMessagesAsync("c", 100);
        IReadOnlyList<Message> sync = await store.GetUserMessagesAsync("u1", 0, 200);

        CompactionReport report = await store.CompactAsync();

        Assert.Equal(deleted.Count, report.BodiesErased);
        Assert.Equal(0, report.EntriesRemoved);
        Assert.True(report.BlocksRewritten > 0 && report.BytesWritten < report.BytesRead);
        AssertSameMessages(history, await store.GetConvMessagesAsync("c", 100));
        AssertSameMessages(sync, await store.GetUserMessagesAsync("u1", 0, 200));
        Assert.Equal(0, (await store.CompactAsync()).BodiesErased);
        store = await ReopenAsync(store, o => o.TimelineMaxSize = 8);
        AssertSameMessages(history, await store.GetConvMessagesAsync("c", 100));
        AssertSameMessages(sync, await store.GetUserMessagesAsync("u2", 0, 200));
        Assert.Equal("seqId", (await Assert.ThrowsAsync<ArgumentException>(() => store.EditMessageAsync("c", deleted.First(), Bytes("x")))).ParamName);
        Assert.Empty((await store.VerifyAsync()).Problems);
    }

    [SkippableFact]
    public async Task Compaction_runs_while_writers_and_readers_go_on()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 4);
        List<Message> sent = await AddManyAsync(store, "c", 40, Users("u"));
        foreach (Message message in sent.Where(m => m.SeqId % 3 == 0))
        {
            await store.DeleteMessageAsync("c", message.SeqId);
        }

        using var stop = new CancellationTokenSource();
        Task<int> writer = Task.Run(async () =>
        {
            int written = 0;
            while (!stop.IsCancellationRequested)
            {
                await store.AddMessageAsync("c", 2, Bytes($"during {written++}"), Users("u"));
            }

            return written;
        });
        Task reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                IReadOnlyList<Message> page = await store.GetUserMessagesAsync("u", 0, 1000);
                Assert.Equal(page.Select(m => m.SeqId).Order(), page.Select(m => m.SeqId));
                Assert.All(page.Where(m => sent.Any(s => s.SeqId == m.SeqId && s.SeqId % 3 != 0)), m => Assert.False(m.IsDeleted));
            }
        });

        for (int i = 0; i < 3; i++)
        {
            await store.CompactAsync();
        }

        await stop.CancelAsync();
        int during = await writer;
        await reader;
        IReadOnlyList<Message> history = await store.GetConvMessagesAsync("c", 10_000);
        Assert.Equal(40 + during, history.Count);
        Assert.Equal(sent.Count(m => m.SeqId % 3 == 0), history.Count(m => m.IsDeleted));
        Assert.Empty((await store.VerifyAsync()).Problems);
    }

    [SkippableFact]
    public async Task Bad_erasure_and_retention_input_is_refused_by_parameter_and_writes_nothing()
    {
        MessageStore store = await OpenAsync();
        await store.AddMessageAsync("c", 1, Bytes("kept"), Users("u"));
        StoreStats before = await store.GetStatsAsync();

        Assert.Equal("convId", (await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteConversationAsync(""))).ParamName);
        Assert.Equal("convId", (await Assert.ThrowsAnyAsync<ArgumentException>(() => store.DeleteConversationAsync(null!))).ParamName);
        Assert.Equal("userId", (await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteUserAsync(new string('u', 1000)))).ParamName);
        Assert.Equal("convId", (await Assert.ThrowsAsync<ArgumentException>(() => store.SetRetentionAsync("bad\0id", TimeSpan.FromDays(1)))).ParamName);
        Assert.Equal("maxAge", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.SetRetentionAsync("c", TimeSpan.Zero))).ParamName);
        Assert.Equal("maxAge", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.SetRetentionAsync("c", TimeSpan.FromDays(-1)))).ParamName);

        StoreStats after = await store.GetStatsAsync();
        Assert.Equal((before.LastSeqId, before.JournalBytes), (after.LastSeqId, after.JournalBytes));
        Assert.Equal(["kept"], (await store.GetConvMessagesAsync("c", 10)).Select(Text));
        await store.DeleteConversationAsync("never-seen");
        await store.DeleteUserAsync("never-seen");
        Assert.Equal(["kept"], (await store.GetConvMessagesAsync("c", 10)).Select(Text));
    }

    [SkippableFact]
    public async Task Background_compaction_removes_a_deleted_body_without_being_asked()
    {
        MessageStore store = await OpenAsync(o =>
        {
            o.Compression = BlockCompression.None;
            o.Compaction.Interval = TimeSpan.FromSeconds(1);
        });
        byte[] marker = Bytes($"MARKER-background-{Guid.NewGuid():N}");
        Message doomed = await store.AddMessageAsync("c", 1, marker, Users("u"));
        Message kept = await store.AddMessageAsync("c", 1, Bytes("kept"), Users("u"));
        await store.FlushAsync();
        Assert.True(Fixture.StoredBytesContain(DataDir, marker), "the marker is not stored, so the test could not fail");

        await store.DeleteMessageAsync("c", doomed.SeqId);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (Fixture.StoredBytesContain(DataDir, marker) && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(200);
        }

        Assert.False(Fixture.StoredBytesContain(DataDir, marker), "background compaction did not remove the deleted body within a minute");
        Assert.Equal([(doomed.SeqId, true), (kept.SeqId, false)], (await store.GetConvMessagesAsync("c", 10)).Select(m => (m.SeqId, m.IsDeleted)));
    }

    /// <summary>
    /// The forgetting test: bodies carrying unique markers are deleted, expired, erased and deleted with their conversation, then
    /// compacted; after closing, no stored byte holds any of them (the markers are checked present before, so this can fail).
    /// </summary>
    [SkippableFact]
    public async Task After_compaction_no_stored_byte_holds_a_deleted_expired_or_erased_body()
    {
        void Configure(BlockStoreOptions o)
        {
            o.Compression = BlockCompression.None;
            o.TimelineMaxSize = 4;
        }

        DateTimeOffset now = DateTimeOffset.UtcNow;
        MessageStore store = await OpenAsync(Configure);
        string[] kinds = ["deleted", "edited-then-deleted", "expired", "erased", "conversation"];
        Dictionary<string, byte[]> markers = kinds.ToDictionary(k => k, k => Bytes($"MARKER-{k}-{Guid.NewGuid():N}"));
        IReadOnlyList<Message> expired = await store.AddMessagesAsync([new NewMessage("old", 1, markers["expired"], Users("u")) { CreatedAt = now.AddDays(-10) }]);
        await AddManyAsync(store, "keep", 6, Users("u"), "keep");
        await AddManyAsync(store, "old", 5, Users("u"), "old-but-kept");
        Message deleted = await store.AddMessageAsync("c", 1, markers["deleted"], Users("u"));
        Message edited = await store.AddMessageAsync("c", 1, Bytes("draft"), Users("u"));
        await store.EditMessageAsync("c", edited.SeqId, markers["edited-then-deleted"]);
        await store.AddMessageAsync("c", 66, markers["erased"], Users("u"));
        await store.AddMessageAsync("doomed", 2, markers["conversation"], Users("u"));
        await AddManyAsync(store, "c", 6, Users("u"), "c-kept");
        await store.FlushAsync();
        await store.DisposeAsync();
        Assert.All(kinds, k => Assert.True(Fixture.StoredBytesContain(DataDir, markers[k]), $"the {k} marker is not stored, so the test could not fail"));

        store = await OpenAsync(Configure);
        await store.DeleteMessageAsync("c", deleted.SeqId);
        await store.DeleteMessageAsync("c", edited.SeqId);
        await store.SetRetentionAsync("old", TimeSpan.FromDays(1));
        await store.EraseSenderAsync(66);
        await store.DeleteConversationAsync("doomed");
        await store.CompactAsync();
        await store.DisposeAsync();

        Assert.All(kinds, k => Assert.False(Fixture.StoredBytesContain(DataDir, markers[k]), $"the {k} body is still stored after compaction"));
        store = await OpenAsync(Configure);
        Assert.Equal(6, (await store.GetConvMessagesAsync("keep", 10)).Count);
        Assert.Equal(5, (await store.GetConvMessagesAsync("old", 10)).Count);
        Assert.Equal(9, (await store.GetConvMessagesAsync("c", 20)).Count);
        Assert.Empty(await store.GetConvMessagesAsync("doomed", 10));
        Assert.True(expired[0].SeqId > 0);
        Assert.Empty((await store.VerifyAsync()).Problems);
    }
}
