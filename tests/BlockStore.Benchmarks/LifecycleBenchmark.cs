using System.Diagnostics;
using System.Globalization;
using BlockStore.Providers;

namespace BlockStore.Benchmarks;

/// <summary>
/// Edit and delete throughput against <see cref="IMessageStore.AddMessageAsync(string, uint, ReadOnlyMemory{byte}, IReadOnlyCollection{string}, CancellationToken)"/>:
/// on each BlockStore target, with Durability.Full and <see cref="MacroSettings.ConcurrentCallers"/> concurrent callers, N single
/// adds, then N edits and N deletes of those messages (the same callers, one call each), three rounds, medians printed.
/// </summary>
internal static class LifecycleBenchmark
{
    private const int Rounds = 3;

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        int messages = 20_000;
        for (int i = 1; i + 1 < args.Count; i++)
        {
            if (args[i] == "--messages")
            {
                messages = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
        }

        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, MacroSettings.ConcurrentCallers * 2), io);
        string root = Path.Combine(Path.GetTempPath(), $"blockstore-lifecycle-{Environment.ProcessId}");
        try
        {
            Console.WriteLine($"{messages:N0} messages; {MacroSettings.ConcurrentCallers} callers; Durability.Full; medians of {Rounds} rounds");
            Console.WriteLine($"{"target",-20} {"add msg/s",12} {"edit/s",12} {"delete/s",12} {"edit/add",9} {"delete/add",11}");
            foreach (BlockStoreTarget target in BlockStoreTarget.All)
            {
                var rates = new List<(double Add, double Edit, double Delete)>();
                for (int round = 0; round < Rounds; round++)
                {
                    string dataDir = Path.Combine(root, $"{target.Name.Replace('/', '-')}-{round}");
                    rates.Add(await RoundAsync(target.CreateProvider(dataDir), dataDir, messages));
                }

                double add = Median(rates.Select(static r => r.Add));
                double edit = Median(rates.Select(static r => r.Edit));
                double delete = Median(rates.Select(static r => r.Delete));
                Console.WriteLine($"{target.Name,-20} {add,12:N0} {edit,12:N0} {delete,12:N0} {edit / add,9:P0} {delete / add,11:P0}");
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }

        return 0;
    }

    private static async Task<(double Add, double Edit, double Delete)> RoundAsync(IBlockStoreProvider provider, string dataDir, int count)
    {
        await using MessageStore store = await MessageStore.OpenAsync(new BlockStoreOptions { DataDir = dataDir, Durability = Durability.Full }, provider);
        NewMessage[] workload = new Workload(MacroSettings.Conversations, MacroSettings.Users).Next(count);
        var stored = new Message[count];
        double add = await ConcurrentlyAsync(count, async k =>
        {
            NewMessage m = workload[k];
            stored[k] = await store.AddMessageAsync(m.ConvId, m.SenderId, m.Data, m.UserIds);
        });
        double edit = await ConcurrentlyAsync(count, k => store.EditMessageAsync(stored[k].ConvId, stored[k].SeqId, workload[(k + 1) % count].Data));
        double delete = await ConcurrentlyAsync(count, k => store.DeleteMessageAsync(stored[k].ConvId, stored[k].SeqId));
        return (add, edit, delete);
    }

    /// <summary>Runs <paramref name="call"/> for 0..count-1 on the concurrent callers and returns the calls per second.</summary>
    internal static async Task<double> ConcurrentlyAsync(int count, Func<int, Task> call)
    {
        int next = -1;
        var callers = new Task[MacroSettings.ConcurrentCallers];
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < callers.Length; i++)
        {
            callers[i] = Task.Run(async () =>
            {
                int k;
                while ((k = Interlocked.Increment(ref next)) < count)
                {
                    await call(k);
                }
            });
        }

        await Task.WhenAll(callers);
        return count / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted[sorted.Length / 2];
    }
}
