using System.Diagnostics;
using System.Globalization;
using BlockStore.Providers.Sqlite;
using Microsoft.Extensions.Options;

namespace BlockStore.Benchmarks;

/// <summary>
/// The many-data-sets benchmark (<c>-- datasets</c>): 1,000 data sets opened one after another through one
/// <see cref="MessageStoreFactory"/> (SQLite provider), each written to and read from, all left open; then the managed heap
/// they added, against the process-wide budgets they share and the goal of 64 KiB per open data set beyond them.
/// </summary>
internal static class DataSetsBenchmark
{
    private const int Recipients = 3;

    /// <summary>Runs the measurement and prints it.</summary>
    /// <param name="args">The command line, starting with <c>datasets</c>; <c>--datasets N</c> (default 1,000) and <c>--messages N</c> per data set (default 50).</param>
    /// <returns>The process exit code.</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        int dataSets = Option(args, "--datasets", 1_000);
        int messages = Option(args, "--messages", 50);
        string root = Path.Combine(Path.GetTempPath(), $"blockstore-datasets-bench-{Guid.NewGuid():N}"[..36]);
        var options = new BlockStoreOptions { DataDir = root, Durability = Durability.Normal, DataSetIdleTimeout = TimeSpan.FromHours(1) };
        Console.WriteLine($"Data sets benchmark: SQLite provider, Durability.Normal, {dataSets:N0} data sets opened one after another, {messages} messages to {Recipients} recipients each, all left open");
        try
        {
            long before = Heap();
            var clock = Stopwatch.StartNew();
            await using var factory = new MessageStoreFactory(Options.Create(options), new SqliteBlockStoreProvider(new SqliteBlockStoreOptions()));
            byte[] body = new byte[200];
            for (int d = 0; d < dataSets; d++)
            {
                IMessageStore store = factory.Get($"tenant-{d:D5}");
                var batch = new List<NewMessage>(messages);
                for (int i = 0; i < messages; i++)
                {
                    batch.Add(new NewMessage($"conv-{i % 5}", 1, body, [.. Enumerable.Range(0, Recipients).Select(r => $"user-{(i + r) % 20}")]));
                }

                await store.AddMessagesAsync(batch);
                await store.GetConvMessagesAsync("conv-0", 20);
                await store.GetUserMessagesAsync("user-0", 0, 20);
            }

            TimeSpan opening = clock.Elapsed;
            long after = Heap();
            long added = after - before;
            long budgets = factory.CacheBytes + factory.WorkingSetBytes + factory.OpenBlockBytes;
            int open = factory.OpenCount;
            double perDataSet = (double)(added - budgets) / open;
            Console.WriteLine($"opened and wrote {open:N0} data sets in {opening.TotalSeconds:F1} s");
            Console.WriteLine($"managed heap: {before / 1024.0 / 1024:F1} MiB before, {after / 1024.0 / 1024:F1} MiB with {open:N0} open data sets (+{added / 1024.0 / 1024:F1} MiB)");
            Console.WriteLine(
                $"held by the shared budgets: block cache {factory.CacheBytes / 1024.0 / 1024:F1} MiB, timeline working sets {factory.WorkingSetBytes / 1024.0 / 1024:F1} MiB, " +
                $"open blocks {factory.OpenBlockBytes / 1024.0 / 1024:F1} MiB (limits {options.CacheSizeBytes / 1024 / 1024} + {options.TimelineCacheBytes / 1024 / 1024} + {options.OpenBlocksMaxBytes / 1024 / 1024} MiB)");
            Console.WriteLine($"beyond the budgets: {perDataSet / 1024:F1} KiB per open data set (goal <= 64 KiB)");
            return added < 0 ? 1 : 0;
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

    /// <summary>The managed heap after a blocking, compacting full collection.</summary>
    private static long Heap()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }

    private static int Option(IReadOnlyList<string> args, string name, int value)
    {
        for (int i = 1; i + 1 < args.Count; i++)
        {
            if (args[i] == name)
            {
                value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
        }

        return value;
    }
}
