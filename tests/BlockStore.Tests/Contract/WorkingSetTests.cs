using System.Collections.Concurrent;

namespace BlockStore.Tests.Contract;

/// <summary>
/// The timeline working set: timelines evicted and looked up again in the provider's index read and write exactly as if
/// they had stayed in memory, also while readers and writers race with eviction, and after a restart with a full journal.
/// </summary>
public abstract partial class ContractTests
{
    /// <summary>So small that every timeline without unsealed entries is evicted at the end of each writer turn.</summary>
    private const long TinyWorkingSet = 1;

    /// <summary>With a one-byte budget every older block is paged from the index; with 4 KiB a few timelines stay and take their whole history into memory.</summary>
    [SkippableTheory]
    [InlineData(TinyWorkingSet)]
    [InlineData(4096)]
    public async Task A_timeline_evicted_and_reloaded_reads_the_same(long budget)
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 4);
        await WriteHistoryAsync(store);
        Snapshot expected = await ReadEverythingAsync(store);

        store = await ReopenAsync(store, o =>
        {
            o.TimelineMaxSize = 4;
            o.TimelineCacheBytes = budget;
        });
        Assert.Equal(0, store.WorkingSet.Timelines);
        for (int round = 0; round < 3; round++)
        {
            expected.AssertSame(await ReadEverythingAsync(store));
            await store.FlushAsync();
        }

        Assert.True(store.WorkingSet.Evictions > 0, "nothing was evicted");
        Assert.True(store.WorkingSet.Bytes <= budget, $"{store.WorkingSet.Timelines} timelines ({store.WorkingSet.Bytes} bytes) stayed in a working set of {budget} bytes after a flush");
    }

    [SkippableFact]
    public async Task A_cold_timelines_first_read_comes_from_the_index()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 4);
        List<Message> sent = await AddManyAsync(store, "cold", 30, Users("reader"));
        store = await ReopenAsync(store, o => o.TimelineMaxSize = 4);
        Assert.Equal(0, store.WorkingSet.Timelines);

        AssertSameMessages(sent[^20..], await store.GetConvMessagesAsync("cold", 20));
        AssertSameMessages(sent[..10], await store.GetConvMessagesAsync("cold", 10, sent[10].SeqId));
        AssertSameMessages(sent, await store.GetUserMessagesAsync("reader", 0, 100));
        Assert.Empty(await store.GetConvMessagesAsync("never-written", 20));
        Assert.Empty(await store.GetUserMessagesAsync("never-written", 0, 20));
        TimelineInfo info = await store.GetOrCreateConvTimelineAsync("cold");
        Assert.Equal((sent[^1].SeqId, 30L, 8), (info.LastSeqId, info.MessageCount, info.SealedBlockCount));
    }

    [SkippableFact]
    public async Task A_page_of_a_cold_users_history_looks_up_each_conversation_once_not_each_message()
    {
        Action<BlockStoreOptions> tiny = o =>
        {
            o.TimelineMaxSize = 4;
            o.TimelineCacheBytes = TinyWorkingSet;
        };
        MessageStore store = await OpenAsync(tiny);
        var sent = new List<Message>();
        for (int i = 0; i < 200; i++)
        {
            sent.Add(await store.AddMessageAsync(i % 2 == 0 ? "even" : "odd", 1, Bytes($"m{i}"), Users("reader")));
        }

        await store.DisposeAsync();
        var counting = new FaultyProvider(Fixture.CreateProvider());
        store = await OpenAsync(tiny, counting);
        int before = counting.IndexLookups;

        AssertSameMessages(sent, await store.GetUserMessagesAsync("reader", 0, 200));

        // The user's 50 blocks in a few pages, then each conversation once and its 25 blocks in one page: not 2 lookups per message.
        int lookups = counting.IndexLookups - before;
        Assert.True(lookups <= 12, $"reading 200 messages of a cold user timeline took {lookups} index lookups");
    }

    [SkippableFact]
    public async Task Writes_to_cold_timelines_continue_them()
    {
        Action<BlockStoreOptions> tiny = o =>
        {
            o.TimelineMaxSize = 4;
            o.TimelineCacheBytes = TinyWorkingSet;
        };
        MessageStore store = await OpenAsync(tiny);
        var sent = new Dictionary<string, List<Message>>();
        for (int round = 0; round < 3; round++)
        {
            for (int c = 0; c < 12; c++)
            {
                string conv = $"conv-{c}";
                List<Message> added = await AddManyAsync(store, conv, 5, Users($"user-{c % 4}", "all"), prefix: $"r{round}");
                (sent.TryGetValue(conv, out List<Message>? list) ? list : sent[conv] = []).AddRange(added);
            }

            await store.FlushAsync();
            store = await ReopenAsync(store, tiny);
        }

        foreach ((string conv, List<Message> messages) in sent)
        {
            AssertSameMessages(messages, await store.GetConvMessagesAsync(conv, 1000));
            TimelineInfo info = await store.GetOrCreateConvTimelineAsync(conv);
            Assert.Equal((messages[^1].SeqId, (long)messages.Count), (info.LastSeqId, info.MessageCount));
        }

        List<Message> all = sent.Values.SelectMany(m => m).OrderBy(m => m.SeqId).ToList();
        AssertSameMessages(all, await store.GetUserMessagesAsync("all", 0, 1000));
        await store.UpdateUserCheckpointAsync("all", all[^1].SeqId);
        Assert.Equal(all[^1].SeqId, await store.GetUserCheckpointAsync("all"));

        StoreStats stats = await store.GetStatsAsync();
        Assert.Equal((180L, 12L, 5L, all[^1].SeqId), (stats.Messages, stats.ConvTimelines, stats.UserTimelines, stats.LastSeqId));
        Assert.True((await store.VerifyAsync()).IsHealthy);
    }

    [SkippableFact]
    public async Task Eviction_racing_readers_and_writers_loses_nothing_and_opens_no_sync_gap()
    {
        MessageStore store = await OpenAsync(o =>
        {
            o.TimelineMaxSize = 4;
            o.TimelineCacheBytes = TinyWorkingSet;
            o.OpenBlocksMaxBytes = 4096;
        });
        using var stop = new CancellationTokenSource();
        var acknowledged = new ConcurrentBag<Message>();
        var violations = new ConcurrentQueue<string>();

        Task[] writers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < 80; i++)
            {
                string[] users = [SharedUsers[w % 4], SharedUsers[(w + i) % 4], $"solo-{w}-{i % 10}"];
                acknowledged.Add(await store.AddMessageAsync($"conv-{w}-{i % 5}", (uint)w, Bytes($"{w}:{i}"), users));
            }
        })).ToArray();

        Task[] readers = SharedUsers.Select(user => Task.Run(async () =>
        {
            var seen = new HashSet<long>();
            long highest = 0;
            while (!stop.IsCancellationRequested)
            {
                IReadOnlyList<Message> all = await store.GetUserMessagesAsync(user, 0, int.MaxValue);
                for (int i = 0; i < all.Count; i++)
                {
                    long seq = all[i].SeqId;
                    if (i > 0 && seq <= all[i - 1].SeqId)
                    {
                        violations.Enqueue($"{user}: {seq} after {all[i - 1].SeqId}");
                    }

                    if (seen.Add(seq) && seq < highest)
                    {
                        violations.Enqueue($"{user}: {seq} appeared below {highest}, already seen");
                    }
                }

                highest = Math.Max(highest, all.Count > 0 ? all[^1].SeqId : 0);
                if (seen.Count > all.Count)
                {
                    violations.Enqueue($"{user}: a read returned {all.Count} entries after {seen.Count} were seen");
                }
            }
        })).ToArray();

        await Task.WhenAll(writers);
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        Assert.Empty(violations);
        Assert.True(store.WorkingSet.Evictions > 0, "nothing was evicted");
        foreach (IGrouping<string, Message> conv in acknowledged.GroupBy(m => m.ConvId))
        {
            AssertSameMessages([.. conv.OrderBy(m => m.SeqId)], await store.GetConvMessagesAsync(conv.Key, 1000));
        }

        foreach (string user in SharedUsers)
        {
            IReadOnlyList<Message> read = await store.GetUserMessagesAsync(user, 0, int.MaxValue);
            Assert.Equal(read.Select(m => m.SeqId).Distinct().Count(), read.Count);
        }

        Assert.Equal(acknowledged.Count, (await store.GetStatsAsync()).Messages);
    }

    [SkippableFact]
    public async Task Restart_with_a_journal_holding_many_timelines_recovers_each_of_them()
    {
        var faulty = new FaultyProvider(Fixture.CreateProvider());
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 8, faulty);
        List<Message> sealedFirst = await AddManyAsync(store, "group", 20, Users("u-0", "u-1"));
        await store.FlushAsync();

        // From here no block write succeeds, so everything below stays in the journal, also through the close.
        faulty.FailBlockWrites = true;
        var batch = new List<NewMessage>();
        for (int i = 0; i < 1500; i++)
        {
            batch.Add(new NewMessage($"conv-{i % 300}", (uint)i, Bytes($"j-{i}"), [$"u-{i}"]));
        }

        IReadOnlyList<Message> journaled = await store.AddMessagesAsync(batch);
        List<Message> moreInGroup = await AddManyAsync(store, "group", 3, Users("u-0"), prefix: "late");
        await store.DisposeAsync();

        store = await OpenAsync(o =>
        {
            o.TimelineMaxSize = 8;
            o.TimelineCacheBytes = TinyWorkingSet;
        });
        StoreStats stats = await store.GetStatsAsync();
        Assert.Equal((1523L, 301L, 1500L), (stats.Messages, stats.ConvTimelines, stats.UserTimelines));
        Assert.True(stats.OpenBlocks > 0, "the journal was not replayed into open blocks");

        AssertSameMessages([.. sealedFirst, .. moreInGroup], await store.GetConvMessagesAsync("group", 100));
        for (int c = 0; c < 300; c += 37)
        {
            AssertSameMessages([.. journaled.Where(m => m.ConvId == $"conv-{c}")], await store.GetConvMessagesAsync($"conv-{c}", 100));
        }

        AssertSameMessages([.. sealedFirst, journaled[0], .. moreInGroup], await store.GetUserMessagesAsync("u-0", 0, 100));
        AssertSameMessages([journaled[0]], await store.GetUserMessagesAsync("u-0", sealedFirst[^1].SeqId, 1));
        AssertSameMessages([journaled[1234]], await store.GetUserMessagesAsync("u-1234", 0, 10));
        Message next = await store.AddMessageAsync("after", 0, Bytes("x"), ["u-5"]);
        Assert.True(next.SeqId > moreInGroup[^1].SeqId);

        await store.FlushAsync();
        store = await ReopenAsync(store, o => o.TimelineCacheBytes = TinyWorkingSet);
        Assert.Equal(1524L, (await store.GetStatsAsync()).Messages);
        Assert.True((await store.VerifyAsync()).IsHealthy);
    }

    [SkippableFact]
    public async Task Stats_survive_a_restart_without_the_timelines_in_memory()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 4);
        await WriteHistoryAsync(store);
        await store.GetOrCreateUserTimelineAsync("registered-only");
        await store.GetOrCreateConvTimelineAsync("empty-conv");
        StoreStats before = await store.GetStatsAsync();

        store = await ReopenAsync(store, o => o.TimelineCacheBytes = TinyWorkingSet);
        StoreStats after = await store.GetStatsAsync();

        Assert.Equal(
            (before.Messages, before.ConvTimelines, before.UserTimelines, before.LastSeqId, before.Blocks + before.OpenBlocks > 0),
            (after.Messages, after.ConvTimelines, after.UserTimelines, after.LastSeqId, after.Blocks > 0));
        Assert.Equal(0, after.OpenBlocks);
        Assert.Equal(0, store.WorkingSet.Timelines);
    }

    [SkippableFact]
    public async Task Writing_to_many_new_timelines_keeps_the_working_set_within_its_budget()
    {
        const long budget = 64 * 1024;
        MessageStore store = await OpenAsync(o =>
        {
            o.TimelineCacheBytes = budget;
            o.OpenBlocksMaxBytes = 4096;
        });
        int timelines = 0;
        for (int batch = 0; batch < 8; batch++)
        {
            var messages = new List<NewMessage>();
            for (int m = 0; m < 500; m++)
            {
                messages.Add(new NewMessage($"c{m % 20}", 1, Bytes("x"), [.. Enumerable.Range(0, 10).Select(_ => $"new-{timelines++}")]));
            }

            await store.AddMessagesAsync(messages);
            await store.FlushAsync();
            Assert.True(store.WorkingSet.Bytes <= 2 * budget, $"after batch {batch} the working set is charged {store.WorkingSet.Bytes} bytes for {store.WorkingSet.Timelines} timelines");
        }

        Assert.Equal(40_000L, (await store.GetStatsAsync()).UserTimelines);
        Assert.Single(await store.GetUserMessagesAsync("new-12345", 0, 10));
        Assert.Single(await store.GetUserMessagesAsync("new-39999", 0, 10));
    }

    /// <summary>Ten conversations of thirty messages, each to two of twenty users, added in interleaved batches.</summary>
    private static async Task WriteHistoryAsync(IMessageStore store)
    {
        for (int round = 0; round < 30; round++)
        {
            var batch = new List<NewMessage>();
            for (int c = 0; c < 10; c++)
            {
                batch.Add(new NewMessage($"h-{c}", (uint)c, Bytes($"{c}/{round}"), [$"hu-{(c + round) % 20}", $"hu-{c}"]));
            }

            await store.AddMessagesAsync(batch);
        }
    }

    /// <summary>Every kind of read over <see cref="WriteHistoryAsync"/>'s data: latest pages, paging back, time windows, user timelines.</summary>
    private static async Task<Snapshot> ReadEverythingAsync(IMessageStore store)
    {
        var reads = new List<IReadOnlyList<Message>>();
        for (int c = 0; c < 10; c++)
        {
            string conv = $"h-{c}";
            IReadOnlyList<Message> all = await store.GetConvMessagesAsync(conv, 1000);
            reads.Add(all);
            reads.Add(await store.GetConvMessagesAsync(conv, 5));
            reads.Add(await store.GetConvMessagesAsync(conv, 7, all[13].SeqId));
            reads.Add(await store.GetConvMessagesByTimeAsync(conv, all[3].CreatedAt, all[21].CreatedAt.AddMilliseconds(1), 1000));
            reads.Add(await store.GetConvMessagesByTimeAsync(conv, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 6));
        }

        for (int u = 0; u < 20; u++)
        {
            IReadOnlyList<Message> all = await store.GetUserMessagesAsync($"hu-{u}", 0, 1000);
            reads.Add(all);
            reads.Add(await store.GetUserMessagesAsync($"hu-{u}", all[all.Count / 2].SeqId, 4));
        }

        return new Snapshot(reads);
    }

    private sealed record Snapshot(List<IReadOnlyList<Message>> Reads)
    {
        public void AssertSame(Snapshot other)
        {
            Assert.Equal(Reads.Count, other.Reads.Count);
            for (int i = 0; i < Reads.Count; i++)
            {
                AssertSameMessages(Reads[i], other.Reads[i]);
            }
        }
    }
}
