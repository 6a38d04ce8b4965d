using System.Diagnostics;
using System.Globalization;

namespace BlockStore.Benchmarks;

/// <summary>
/// What compaction gives back and what it costs: on each DataDir target, N messages, then half of them deleted at random by
/// <see cref="MacroSettings.ConcurrentCallers"/> callers; the data set's bytes on disk (closed) before and after
/// <see cref="IMessageStore.CompactAsync"/>, set against the deleted bodies' bytes; compaction throughput; and the p99 latency of
/// latest-20 reads while idle and while compaction runs. Bodies are the workload's chat text, scaled by <c>--body-scale</c>;
/// <c>--compression none</c> stores them raw, so stored and deleted bytes compare one to one.
/// </summary>
internal static class CompactionBenchmark
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        int messages = 100_000;
        int scale = 1;
        BlockCompression compression = BlockCompression.Zstd;
        for (int i = 1; i + 1 < args.Count; i++)
        {
            switch (args[i])
            {
                case "--messages":
                    messages = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--body-scale":
                    scale = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--compression":
                    compression = Enum.Parse<BlockCompression>(args[i + 1], ignoreCase: true);
                    break;
            }
        }

        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, MacroSettings.ConcurrentCallers * 2), io);
        string root = Path.Combine(Path.GetTempPath(), $"blockstore-compaction-{Environment.ProcessId}");
        try
        {
            Console.WriteLine($"{messages:N0} messages, bodies x{scale}, compression {compression}; half deleted at random; Durability.Full");
            Console.WriteLine($"{"target",-18} {"deleted MB",10} {"disk before",12} {"disk after",11} {"shrink/deleted",15} {"compact s",10} {"MB/s",7} {"idle p99 ms",12} {"during p99 ms",14} {"ratio",6}");
            foreach (BlockStoreTarget target in BlockStoreTarget.All)
            {
                string dataDir = Path.Combine(root, target.Name.Replace('/', '-'));
                await RunTargetAsync(target, dataDir, messages, scale, compression);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }

        return 0;
    }

    private static async Task RunTargetAsync(BlockStoreTarget target, string dataDir, int count, int scale, BlockCompression compression)
    {
        var options = new BlockStoreOptions { DataDir = dataDir, Durability = Durability.Full, Compression = compression };
        var workload = new Workload(MacroSettings.Conversations, MacroSettings.Users);
        NewMessage[] messages = [.. workload.Next(count).Select(m => m with { Data = Scale(m.Data, scale) })];
        var stored = new List<Message>(count);
        var random = new Random(Workload.Seed);
        long deletedBytes = 0;
        MessageStore store = await MessageStore.OpenAsync(options, target.CreateProvider(dataDir));
        try
        {
            for (int i = 0; i < count; i += MacroSettings.BatchSize)
            {
                stored.AddRange(await store.AddMessagesAsync(messages[i..Math.Min(count, i + MacroSettings.BatchSize)]));
            }

            Message[] doomed = [.. stored.Where(_ => random.Next(2) == 0)];
            deletedBytes = doomed.Sum(static m => (long)m.Data.Length);
            await LifecycleBenchmark.ConcurrentlyAsync(doomed.Length, k => store.DeleteMessageAsync(doomed[k].ConvId, doomed[k].SeqId));
        }
        finally
        {
            await store.DisposeAsync();
        }

        long before = DirectoryBytes(dataDir);
        store = await MessageStore.OpenAsync(options, target.CreateProvider(dataDir));
        double idleP99;
        double duringP99;
        CompactionReport report;
        try
        {
            string[] convs = workload.ConvIds;
            idleP99 = P99(await ReadLatenciesAsync(store, convs, Task.Delay(TimeSpan.FromSeconds(3))));
            Task<CompactionReport> compaction = store.CompactAsync();
            duringP99 = P99(await ReadLatenciesAsync(store, convs, compaction));
            report = await compaction;
        }
        finally
        {
            await store.DisposeAsync();
        }

        long after = DirectoryBytes(dataDir);
        double seconds = report.Duration.TotalSeconds;
        double mbPerSecond = (report.BytesRead + report.BytesWritten) / 1048576.0 / seconds;
        Console.WriteLine(
            $"{target.Name,-18} {deletedBytes / 1048576.0,10:N1} {before / 1048576.0,12:N1} {after / 1048576.0,11:N1} {(double)(before - after) / deletedBytes,15:P0} " +
            $"{seconds,10:N2} {mbPerSecond,7:N1} {idleP99,12:N2} {duringP99,14:N2} {duringP99 / idleP99,6:N2}");
    }

    /// <summary>Reads the latest 20 messages of random conversations, one caller, until <paramref name="until"/> completes; returns each read's milliseconds.</summary>
    private static async Task<List<double>> ReadLatenciesAsync(IMessageStore store, string[] convs, Task until)
    {
        var random = new Random(7);
        var latencies = new List<double>();
        while (!until.IsCompleted || latencies.Count < 100)
        {
            long start = Stopwatch.GetTimestamp();
            await store.GetConvMessagesAsync(convs[random.Next(convs.Length)], MacroSettings.LatestPageSize);
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        await until;
        return latencies;
    }

    private static double P99(List<double> latencies)
    {
        latencies.Sort();
        return latencies[(int)Math.Min(latencies.Count - 1, Math.Ceiling(latencies.Count * 0.99) - 1)];
    }

    private static ReadOnlyMemory<byte> Scale(ReadOnlyMemory<byte> body, int scale)
    {
        if (scale <= 1)
        {
            return body;
        }

        var scaled = new byte[body.Length * scale];
        for (int i = 0; i < scale; i++)
        {
            body.Span.CopyTo(scaled.AsSpan(i * body.Length));
        }

        return scaled;
    }

    private static long DirectoryBytes(string path) =>
        new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(static f => f.Length);
}
