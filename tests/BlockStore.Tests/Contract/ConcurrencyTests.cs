using System.Collections.Concurrent;

namespace BlockStore.Tests.Contract;

/// <summary>
/// Writers race on conversations that share users while readers follow user timelines: no reader ever sees a SeqId
/// appear below one it has already seen (the sync-gap bug), and every message lands in every recipient's timeline once.
/// </summary>
public abstract partial class ContractTests
{
    private static readonly string[] SharedUsers = ["ann", "ben", "cat", "dan"];

    [SkippableFact]
    public async Task Readers_never_see_a_lower_SeqId_appear_below_one_already_seen()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 16);
        using var stop = new CancellationTokenSource();
        var acknowledged = new ConcurrentBag<Message>();
        var violations = new ConcurrentQueue<string>();

        Task[] writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < 60; i++)
            {
                string[] users = [SharedUsers[w % 4], SharedUsers[(w + i) % 4], $"solo-{w}"];
                acknowledged.Add(await store.AddMessageAsync($"conv-{w}", (uint)w, Bytes($"{w}:{i}"), users));
            }
        })).ToArray();

        Task[] readers = SharedUsers.Select(user => Task.Run(async () =>
        {
            var seen = new List<long>();
            while (!stop.IsCancellationRequested)
            {
                IReadOnlyList<Message> all = await store.GetUserMessagesAsync(user, 0, int.MaxValue);
                long[] now = all.Select(m => m.SeqId).ToArray();
                for (int i = 1; i < now.Length; i++)
                {
                    if (now[i] <= now[i - 1])
                    {
                        violations.Enqueue($"{user}: {now[i]} after {now[i - 1]}");
                    }
                }

                // What was seen before must be a prefix of what is seen now: nothing may appear in between.
                if (now.Length < seen.Count || !now.AsSpan(0, seen.Count).SequenceEqual(seen.ToArray()))
                {
                    violations.Enqueue($"{user}: earlier view is not a prefix of the later one");
                }

                seen = [.. now];
            }
        })).ToArray();

        await Task.WhenAll(writers);
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        Assert.Empty(violations);
        foreach (string user in SharedUsers)
        {
            long[] expected = acknowledged.Where(m => Recipients(m).Contains(user)).Select(m => m.SeqId).Order().ToArray();
            Assert.Equal(expected, (await store.GetUserMessagesAsync(user, 0, int.MaxValue)).Select(m => m.SeqId));
        }
    }

    [SkippableFact]
    public async Task Concurrent_writers_get_unique_increasing_SeqIds_and_every_message_lands_once()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 8);
        Message[][] results = await Task.WhenAll(Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            var mine = new List<Message>();
            for (int i = 0; i < 40; i++)
            {
                mine.Add(await store.AddMessageAsync($"room-{w % 3}", (uint)w, Bytes($"{w}/{i}"), ["everyone", $"w{w}"]));
            }

            return mine.ToArray();
        })));

        Message[] all = results.SelectMany(r => r).OrderBy(m => m.SeqId).ToArray();
        Assert.Equal(all.Length, all.Select(m => m.SeqId).Distinct().Count());
        Assert.All(results, r => Assert.True(r.Zip(r.Skip(1)).All(p => p.First.SeqId < p.Second.SeqId)));
        AssertSameMessages(all, await store.GetUserMessagesAsync("everyone", 0, int.MaxValue));
        for (int w = 0; w < 16; w++)
        {
            AssertSameMessages(results[w], await store.GetUserMessagesAsync($"w{w}", 0, int.MaxValue));
        }

        int total = 0;
        for (int room = 0; room < 3; room++)
        {
            IReadOnlyList<Message> conv = await store.GetConvMessagesAsync($"room-{room}", int.MaxValue);
            AssertSameMessages(all.Where(m => m.ConvId == $"room-{room}").ToList(), conv);
            total += conv.Count;
        }

        Assert.Equal(16 * 40, total);
    }

    [SkippableFact]
    public async Task Checkpoint_sync_clients_never_miss_a_message_while_writers_race()
    {
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 8);
        using var stop = new CancellationTokenSource();
        var failures = new ConcurrentQueue<string>();

        Task[] writers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < 80; i++)
            {
                await store.AddMessageAsync($"group-{w % 3}", (uint)w, Bytes($"{w}:{i}"), SharedUsers);
            }
        })).ToArray();

        // Each shared user has a sync client (read unread, then checkpoint the last) and a second device that
        // sends stale checkpoints; the client must still see every message exactly once, in order.
        Task<List<long>>[] clients = SharedUsers.Select(user => Task.Run(async () =>
        {
            var received = new List<long>();
            while (true)
            {
                bool finished = stop.IsCancellationRequested;
                IReadOnlyList<Message> unread = await store.GetMessagesAfterCheckpointAsync(user);
                foreach (Message m in unread)
                {
                    if (received.Count > 0 && m.SeqId <= received[^1])
                    {
                        failures.Enqueue($"{user}: {m.SeqId} after {received[^1]}");
                    }

                    received.Add(m.SeqId);
                }

                if (unread.Count > 0)
                {
                    await store.UpdateUserCheckpointAsync(user, unread[^1].SeqId);
                }

                if (finished)
                {
                    return received;
                }
            }
        })).ToArray();

        Task[] staleDevices = SharedUsers.Select(user => Task.Run(async () =>
        {
            var random = new Random(user.GetHashCode());
            while (!stop.IsCancellationRequested)
            {
                long current = await store.GetUserCheckpointAsync(user);
                await store.UpdateUserCheckpointAsync(user, Math.Max(0, current - random.Next(1, 20)));
                if (await store.GetUserCheckpointAsync(user) < current)
                {
                    failures.Enqueue($"{user}: checkpoint went back below {current}");
                }
            }
        })).ToArray();

        await Task.WhenAll(writers);
        await stop.CancelAsync();
        List<long>[] received = await Task.WhenAll(clients);
        await Task.WhenAll(staleDevices);

        Assert.Empty(failures);
        long[] all = (await store.GetConvMessagesAsync("group-0", int.MaxValue))
            .Concat(await store.GetConvMessagesAsync("group-1", int.MaxValue))
            .Concat(await store.GetConvMessagesAsync("group-2", int.MaxValue))
            .Select(m => m.SeqId).Order().ToArray();
        Assert.Equal(6 * 80, all.Length);
        Assert.All(received, r => Assert.Equal(all, r));
    }

    private static string[] Recipients(Message m)
    {
        int w = (int)m.SenderId;
        int i = int.Parse(Text(m).Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        return [SharedUsers[w % 4], SharedUsers[(w + i) % 4], $"solo-{w}"];
    }
}
