using System.Collections.Concurrent;

namespace BlockStore.Tests.Contract;

/// <summary>
/// Watches: every entry above the start exactly once and in order, across the switch from storage to live, for slow
/// consumers, under racing writers and for many watchers at once; cancellation and closing the store end them.
/// </summary>
public abstract partial class ContractTests
{
    private static readonly TimeSpan WatchTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_user_watch_sees_exactly_what_a_later_read_returns_under_racing_writers()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 16);
        await AddManyAsync(store, "before", 40, [.. SharedUsers]);
        using var cancel = new CancellationTokenSource(WatchTimeout);
        var seen = SharedUsers.ToDictionary(u => u, _ => new ConcurrentQueue<Message>());
        var convSeen = new ConcurrentQueue<Message>();
        Task[] watchers =
        [
            .. SharedUsers.Select(user => CollectAsync(store.WatchUserAsync(user, 0, cancel.Token), seen[user])),
            CollectAsync(store.WatchConvAsync("conv-3", 0, cancel.Token), convSeen),
        ];

        Task[] writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < 60; i++)
            {
                string[] users = [SharedUsers[w % 4], SharedUsers[(w + i) % 4], $"solo-{w}"];
                await store.AddMessageAsync($"conv-{w}", (uint)w, Bytes($"{w}:{i}"), users);
            }
        })).ToArray();
        await Task.WhenAll(writers);

        foreach (string user in SharedUsers)
        {
            IReadOnlyList<Message> expected = await store.GetUserMessagesAsync(user, 0, int.MaxValue);
            await WaitForAsync(() => seen[user].Count >= expected.Count);
            AssertSameMessages(expected, [.. seen[user]]);
        }

        IReadOnlyList<Message> conv = await store.GetConvMessagesAsync("conv-3", int.MaxValue);
        await WaitForAsync(() => convSeen.Count >= conv.Count);
        AssertSameMessages(conv, [.. convSeen]);

        // Nothing more may arrive: every message came exactly once.
        await Task.Delay(100);
        Assert.Equal((await store.GetUserMessagesAsync("ann", 0, int.MaxValue)).Count, seen["ann"].Count);
        await cancel.CancelAsync();
        foreach (Task watcher in watchers)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watcher);
        }
    }

    [Fact]
    public async Task A_slow_consumer_loses_nothing_when_its_buffer_overflows()
    {
        MessageStore store = await OpenAsync(o =>
        {
            o.TimelineMaxSize = 32;
            o.WatchBufferSize = 4;
        });
        using var cancel = new CancellationTokenSource(WatchTimeout);
        var received = new List<Message>();
        Task slow = Task.Run(async () =>
        {
            await foreach (Message message in store.WatchUserAsync("slow", 0, cancel.Token))
            {
                received.Add(message);
                if (received.Count % 50 == 0)
                {
                    await Task.Delay(20, cancel.Token);
                }

                if (received.Count == 1_500)
                {
                    return;
                }
            }
        });

        var written = new List<Message>();
        for (int i = 0; i < 30; i++)
        {
            written.AddRange(await AddManyAsync(store, $"room-{i % 3}", 50, ["slow", "other"], prefix: $"b{i}"));
            await Task.Delay(2);
        }

        await slow.WaitAsync(cancel.Token);
        AssertSameMessages(written, received);
    }

    [Fact]
    public async Task A_thousand_concurrent_watchers_each_see_every_message_in_order()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 20);
        List<Message> early = await AddManyAsync(store, "hall", 10, ["u0", "u1", "u2", "u3"]);
        using var cancel = new CancellationTokenSource(WatchTimeout);
        const int total = 40;
        Task<List<Message>>[] watchers = Enumerable.Range(0, 1_000).Select(i => TakeAsync(
            i % 2 == 0 ? store.WatchConvAsync("hall", 0, cancel.Token) : store.WatchUserAsync($"u{i % 4}", 0, cancel.Token),
            total)).ToArray();

        var written = new List<Message>(early);
        for (int i = 0; i < total - early.Count; i++)
        {
            written.Add(await store.AddMessageAsync("hall", 1, Bytes($"live-{i}"), ["u0", "u1", "u2", "u3"], cancel.Token));
        }

        foreach (Task<List<Message>> watcher in watchers)
        {
            AssertSameMessages(written, await watcher);
        }
    }

    [Fact]
    public async Task A_watch_starts_at_any_SeqId_in_sealed_frozen_or_open_blocks_and_at_the_end()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 10);
        List<Message> stored = await AddManyAsync(store, "c", 25, ["u"]);
        using var cancel = new CancellationTokenSource(WatchTimeout);
        long[] starts = [0, .. stored.Select(m => m.SeqId)];
        var userWatches = starts.Select(after => (after, task: TakeAsync(store.WatchUserAsync("u", after, cancel.Token), stored.Count(m => m.SeqId > after) + 3))).ToArray();
        var convWatches = starts.Select(after => (after, task: TakeAsync(store.WatchConvAsync("c", after, cancel.Token), stored.Count(m => m.SeqId > after) + 3))).ToArray();

        List<Message> live = await AddManyAsync(store, "c", 3, ["u"], prefix: "live");
        List<Message> all = [.. stored, .. live];
        foreach ((long after, Task<List<Message>> task) in userWatches.Concat(convWatches))
        {
            AssertSameMessages(all.Where(m => m.SeqId > after).ToList(), await task);
        }
    }

    [Fact]
    public async Task A_watch_on_an_evicted_timeline_catches_up_from_the_index_then_goes_live()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 4);
        List<Message> stored = await AddManyAsync(store, "c", 25, ["u"]);
        store = await ReopenAsync(store, o =>
        {
            o.TimelineMaxSize = 4;
            o.TimelineCacheBytes = 1;
        });
        using var cancel = new CancellationTokenSource(WatchTimeout);
        Task<List<Message>> user = TakeAsync(store.WatchUserAsync("u", stored[2].SeqId, cancel.Token), 22 + 2);
        Task<List<Message>> conv = TakeAsync(store.WatchConvAsync("c", 0, cancel.Token), 25 + 2);

        await Task.Delay(50);
        List<Message> live = await AddManyAsync(store, "c", 2, ["u"], prefix: "live");
        AssertSameMessages([.. stored[3..], .. live], await user);
        AssertSameMessages([.. stored, .. live], await conv);
    }

    [Fact]
    public async Task A_watch_on_a_timeline_that_does_not_exist_yet_sees_its_first_message()
    {
        MessageStore store = await OpenAsync();
        using var cancel = new CancellationTokenSource(WatchTimeout);
        Task<List<Message>> user = TakeAsync(store.WatchUserAsync("newcomer", 0, cancel.Token), 1);
        Task<List<Message>> conv = TakeAsync(store.WatchConvAsync("fresh", 0, cancel.Token), 1);
        await Task.Delay(50);

        Message message = await store.AddMessageAsync("fresh", 7, Bytes("hello"), ["newcomer"]);
        AssertSameMessages([message], await user);
        AssertSameMessages([message], await conv);
    }

    [Fact]
    public async Task A_retried_write_with_the_same_idempotency_key_reaches_a_watch_once()
    {
        MessageStore store = await OpenAsync();
        using var cancel = new CancellationTokenSource(WatchTimeout);
        Task<List<Message>> watch = TakeAsync(store.WatchUserAsync("u", 0, cancel.Token), 2);
        Message first = await store.AddMessageAsync("c", 1, Bytes("once"), ["u"], "client-1");
        Message retried = await store.AddMessageAsync("c", 1, Bytes("once"), ["u"], "client-1");
        Message next = await store.AddMessageAsync("c", 1, Bytes("next"), ["u"]);

        Assert.Equal(first.SeqId, retried.SeqId);
        AssertSameMessages([first, next], await watch);
    }

    [Fact]
    public async Task Cancelling_a_watch_ends_it()
    {
        MessageStore store = await OpenAsync();
        await AddManyAsync(store, "c", 3, ["u"]);
        using var cancel = new CancellationTokenSource();
        await using IAsyncEnumerator<Message> watch = store.WatchUserAsync("u", 0, cancel.Token).GetAsyncEnumerator();
        for (int i = 0; i < 3; i++)
        {
            Assert.True(await watch.MoveNextAsync());
        }

        ValueTask<bool> waiting = watch.MoveNextAsync();
        await Task.Delay(20);
        Assert.False(waiting.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await waiting);
    }

    [Fact]
    public async Task Closing_the_store_ends_its_watches_with_ObjectDisposedException()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 10);
        List<Message> stored = await AddManyAsync(store, "c", 15, ["u"]);
        await using IAsyncEnumerator<Message> idle = store.WatchUserAsync("u", stored[^1].SeqId).GetAsyncEnumerator();
        await using IAsyncEnumerator<Message> conv = store.WatchConvAsync("c", 0).GetAsyncEnumerator();
        Assert.True(await conv.MoveNextAsync());
        ValueTask<bool> waiting = idle.MoveNextAsync();

        MessageStore reopened = await ReopenAsync(store);

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await waiting);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () =>
        {
            while (await conv.MoveNextAsync())
            {
            }
        });
        await using IAsyncEnumerator<Message> late = store.WatchUserAsync("u", 0).GetAsyncEnumerator();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await late.MoveNextAsync());

        // The reopened store's watch resumes where the old one stopped, without a gap.
        Message next = await reopened.AddMessageAsync("c", 1, Bytes("after restart"), ["u"]);
        List<Message> resumed = await TakeAsync(reopened.WatchUserAsync("u", stored[^1].SeqId), 1);
        AssertSameMessages([next], resumed);
    }

    [Fact]
    public async Task Bad_watch_arguments_are_refused_when_the_watch_is_created()
    {
        await using var store = new MessageStore(Microsoft.Extensions.Options.Options.Create(CreateOptions()), Fixture.CreateProvider());
        Assert.Equal("userId", Assert.ThrowsAny<ArgumentException>(() => store.WatchUserAsync(null!, 0)).ParamName);
        Assert.Equal("userId", Assert.ThrowsAny<ArgumentException>(() => store.WatchUserAsync("bad\nid", 0)).ParamName);
        Assert.Equal("afterSeqId", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => store.WatchUserAsync("u", -1)).ParamName);
        Assert.Equal("convId", Assert.ThrowsAny<ArgumentException>(() => store.WatchConvAsync("", 0)).ParamName);
        Assert.Equal("afterSeqId", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => store.WatchConvAsync("c", -5)).ParamName);
        Assert.False(Directory.Exists(DataDir));
    }

    private static async Task CollectAsync(IAsyncEnumerable<Message> watch, ConcurrentQueue<Message> into)
    {
        await foreach (Message message in watch)
        {
            into.Enqueue(message);
        }
    }

    private static async Task<List<Message>> TakeAsync(IAsyncEnumerable<Message> watch, int count)
    {
        var taken = new List<Message>(count);
        await foreach (Message message in watch)
        {
            taken.Add(message);
            if (taken.Count == count)
            {
                break;
            }
        }

        return taken;
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + WatchTimeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The watch did not deliver in time.");
            await Task.Delay(10);
        }
    }
}
