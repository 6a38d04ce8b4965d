using System.Diagnostics;

namespace BlockStore.Benchmarks;

/// <summary>
/// The watch benchmark (<c>-- watches</c>): the heap an idle watch costs, durable write throughput with 1,000 consuming
/// watches against none (alternating rounds, medians), and the delay from a write's acknowledgement to its watcher.
/// </summary>
internal static class WatchBenchmark
{
    private const int IdleWatches = 10_000;
    private const int ActiveWatches = 1_000;
    private const int Writers = 16;
    private const int Rounds = 3;
    private const int Recipients = 3;

    /// <summary>Runs the three measurements and prints them.</summary>
    /// <param name="args">The command line, starting with <c>watches</c>; <c>--messages N</c> sets the messages per round (default 20,000).</param>
    /// <returns>The process exit code.</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        int messages = 20_000;
        for (int i = 1; i + 1 < args.Count; i++)
        {
            if (args[i] == "--messages")
            {
                messages = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        string root = Path.Combine(Path.GetTempPath(), $"blockstore-watch-bench-{Guid.NewGuid():N}"[..32]);
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, Writers * 2), io);
        Console.WriteLine($"Watch benchmark: SQLite provider, Durability.Full, {messages:N0} messages per round from {Writers} callers, {Recipients} recipients each, {Rounds} rounds");
        try
        {
            double perWatch = await IdleHeapPerWatchAsync(Path.Combine(root, "idle"));
            Console.WriteLine($"idle watches: {IdleWatches:N0}, heap per watch {perWatch:N0} bytes (goal <= 2,048)");

            var without = new List<double>();
            var with = new List<double>();
            var latencies = new List<double>();
            for (int round = 0; round < Rounds; round++)
            {
                without.Add(await ThroughputAsync(Path.Combine(root, $"none-{round}"), messages, watched: false, latencies));
                with.Add(await ThroughputAsync(Path.Combine(root, $"watched-{round}"), messages, watched: true, latencies));
                Console.WriteLine($"round {round + 1}: {without[^1]:N0} messages/s without watches, {with[^1]:N0} with {ActiveWatches:N0}");
            }

            double none = Median(without);
            double watchedMedian = Median(with);
            Console.WriteLine($"durable writes: {none:N0} messages/s without watches, {watchedMedian:N0} with {ActiveWatches:N0} active watches ({watchedMedian / none:P0}; goal >= 80%)");
            latencies.Sort();
            Console.WriteLine($"delivery after acknowledgement ({latencies.Count:N0} deliveries): p50 {Percentile(latencies, 0.50):N3} ms, p99 {Percentile(latencies, 0.99):N3} ms, max {latencies[^1]:N3} ms");
            return 0;
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp directory is not a benchmark failure.
            }
        }
    }

    /// <summary>Opens 10,000 watches on existing user timelines, each waiting for its next message, and measures the heap they add.</summary>
    private static async Task<double> IdleHeapPerWatchAsync(string dataDir)
    {
        await using MessageStore store = await MessageStore.OpenAsync(new BlockStoreOptions { DataDir = dataDir, Durability = Durability.Normal });
        var batch = new List<NewMessage>(IdleWatches);
        for (int i = 0; i < IdleWatches; i++)
        {
            batch.Add(new NewMessage($"conv-{i % 100}", 1, new byte[64], [$"user-{i}"]));
        }

        await store.AddMessagesAsync(batch);
        using var cancel = new CancellationTokenSource();
        var watches = new IAsyncEnumerator<Message>[IdleWatches];
        var waiting = new ValueTask<bool>[IdleWatches];
        long before = GC.GetTotalMemory(forceFullCollection: true);
        for (int i = 0; i < IdleWatches; i++)
        {
            watches[i] = store.WatchUserAsync($"user-{i}", 0, cancel.Token).GetAsyncEnumerator();
            await watches[i].MoveNextAsync();
            waiting[i] = watches[i].MoveNextAsync();
        }

        long after = GC.GetTotalMemory(forceFullCollection: true);

        // The arrays above are the benchmark's own, not the watches'.
        long own = (long)IdleWatches * (IntPtr.Size + System.Runtime.CompilerServices.Unsafe.SizeOf<ValueTask<bool>>());
        await cancel.CancelAsync();
        foreach (ValueTask<bool> task in waiting)
        {
            try
            {
                await task;
            }
            catch (OperationCanceledException)
            {
                // Cancelling is how an idle watch ends.
            }
        }

        foreach (IAsyncEnumerator<Message> watch in watches)
        {
            await watch.DisposeAsync();
        }

        return (after - before - own) / (double)IdleWatches;
    }

    /// <summary>Writes <paramref name="messages"/> messages from 16 callers into a fresh store and returns messages per second.</summary>
    private static async Task<double> ThroughputAsync(string dataDir, int messages, bool watched, List<double> latencies)
    {
        await using MessageStore store = await MessageStore.OpenAsync(new BlockStoreOptions { DataDir = dataDir, Durability = Durability.Full });
        var acked = new long[messages + 1];
        var delivered = new long[messages + 1];
        using var cancel = new CancellationTokenSource();
        var received = new int[1];
        Task[] watchers = [];
        if (watched)
        {
            watchers = [.. Enumerable.Range(0, ActiveWatches).Select(i => Task.Run(async () =>
            {
                try
                {
                    await foreach (Message message in store.WatchUserAsync($"user-{i}", 0, cancel.Token))
                    {
                        Interlocked.CompareExchange(ref delivered[message.SeqId], Stopwatch.GetTimestamp(), 0);
                        Interlocked.Increment(ref received[0]);
                    }
                }
                catch (OperationCanceledException)
                {
                    // The round is over.
                }
            }))];
        }

        byte[] body = new byte[160];
        int perWriter = messages / Writers;
        long started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (int i = 0; i < perWriter; i++)
            {
                string[] users = [$"user-{random.Next(ActiveWatches)}", $"user-{random.Next(ActiveWatches)}", $"user-{random.Next(ActiveWatches)}"];
                Message stored = await store.AddMessageAsync($"room-{w}-{i % 20}", (uint)w, body, users);
                acked[stored.SeqId] = Stopwatch.GetTimestamp();
            }
        })));
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (watched)
        {
            // Every delivery must arrive before the round ends: nothing is lost, only measured.
            var deadline = Stopwatch.StartNew();
            while (Array.IndexOf(delivered, 0, 1, perWriter * Writers) >= 0 && deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(10);
            }

            for (int seq = 1; seq <= perWriter * Writers; seq++)
            {
                if (delivered[seq] == 0)
                {
                    throw new InvalidOperationException($"Message {seq} never reached a watcher.");
                }

                // A watcher may see a message before its writer's await resumes: that counts as no delay.
                latencies.Add(Math.Max(0, Stopwatch.GetElapsedTime(acked[seq], delivered[seq]).TotalMilliseconds));
            }

            await cancel.CancelAsync();
            await Task.WhenAll(watchers);
        }

        return perWriter * Writers / seconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
}
