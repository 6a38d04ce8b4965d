using System.Diagnostics;
using System.Runtime;
using System.Runtime.InteropServices;

namespace BlockStore.Benchmarks;

/// <summary>
/// The macro benchmark: the naive SQLite baseline and every <see cref="BlockStoreTarget"/> run the same fixed-seed workload
/// in one process, alternating, for several rounds (the median is reported), each run in a fresh directory under the temp path.
/// </summary>
internal static class MacroBenchmark
{
    private const int WarmupMessages = 5_000;
    private const int WarmupReads = 500;
    private const int ReopenRepeats = 3;
    private const int MemoryRecipients = 10;
    private const double MiB = 1024 * 1024;

    /// <summary>Runs every scenario and prints the table.</summary>
    /// <param name="args">The command line, starting with <c>macro</c>.</param>
    /// <returns>The process exit code.</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        MacroSettings settings = MacroSettings.Parse([.. args.Skip(1)]);
        Contender[] contenders =
        [
            new(NaiveSqliteBaseline.Name, NaiveSqliteBaseline.OpenAsync),
            new(RocksDbBaseline.Name, RocksDbBaseline.OpenAsync),
            .. BlockStoreTarget.All.Select(static t => new Contender(t.Name, t.OpenAsync)),
        ];

        // The baseline's 16 callers block on its lock: give each of them a thread instead of waiting for thread injection.
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, MacroSettings.ConcurrentCallers * 2), io);

        string root = Path.Combine(Path.GetTempPath(), $"blockstore-bench-{Guid.NewGuid():N}"[..24]);
        PrintHeader(settings, args, root);
        try
        {
            var report = new Report([.. contenders.Select(static c => c.Name)]);
            if (settings.Runs("throughput"))
            {
                await RunThroughputAsync(settings, contenders, root, report);
            }

            if (settings.Runs("reopen"))
            {
                await RunReopenAsync(settings, contenders, root, report);
            }

            if (settings.Runs("memory"))
            {
                await RunMemoryAsync(settings, contenders, root, report);
            }

            if (settings.Runs("throughput") || settings.Runs("reopen") || settings.Runs("memory"))
            {
                Console.WriteLine();
                Console.Write(report.Format());
            }

            if (settings.Postgres is { } connectionString && settings.Runs("postgres"))
            {
                Console.WriteLine();
                Console.WriteLine("PostgreSQL, against the naive PostgreSQL schema (disk use is not measured: the data sets live in the server)");
                Console.Write((await RunPostgresAsync(settings, connectionString, root)).Format());
            }

            return 0;
        }
        finally
        {
            DeleteIfPresent(root);
        }
    }

    /// <summary>
    /// Scenarios (a) to (d) on PostgreSQL: the naive PostgreSQL schema as the baseline and BlockStore's PostgreSQL provider,
    /// each run in a schema of its own, dropped afterwards.
    /// </summary>
    private static async Task<Report> RunPostgresAsync(MacroSettings settings, string connectionString, string root)
    {
        string prefix = $"bench_{Guid.NewGuid():N}"[..14];
        string SchemaOf(string dir) => $"{prefix}_{Path.GetFileName(dir).Replace('-', '_')}";
        Contender[] contenders =
        [
            new(NaivePostgresBaseline.Name, (dir, durability) => NaivePostgresBaseline.OpenAsync(connectionString, SchemaOf(dir), durability)),
            new("BlockStore/Postgres", BlockStoreTarget.Postgres(connectionString, SchemaOf).OpenAsync),
        ];
        var report = new Report([.. contenders.Select(static c => c.Name)]);
        try
        {
            await RunThroughputAsync(settings, contenders, root, report, new Goals(10, 8, 5, 5), measureDisk: false);
            return report;
        }
        finally
        {
            await using var connection = new Npgsql.NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            var schemas = new List<string>();
            await using (var list = new Npgsql.NpgsqlCommand($"SELECT nspname FROM pg_namespace WHERE nspname LIKE '{prefix}%'", connection))
            await using (Npgsql.NpgsqlDataReader reader = await list.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    schemas.Add(reader.GetString(0));
                }
            }

            foreach (string schema in schemas)
            {
                await using var drop = new Npgsql.NpgsqlCommand($"DROP SCHEMA {schema} CASCADE", connection);
                await drop.ExecuteNonQueryAsync();
            }
        }
    }

    /// <summary>Scenarios (a) to (d): batched ingest, concurrent single writes, latest-20 and user next-100 reads.</summary>
    private static Task RunThroughputAsync(MacroSettings settings, Contender[] contenders, string root, Report report) =>
        RunThroughputAsync(settings, contenders, root, report, new Goals(10, 10, 5, 3), measureDisk: true);

    /// <summary>Scenarios (a) to (d) with the issue's goals, as ratios to the first contender; (h) only for data sets on this machine's disk.</summary>
    private static async Task RunThroughputAsync(MacroSettings settings, Contender[] contenders, string root, Report report, Goals goals, bool measureDisk)
    {
        var workload = new Workload(MacroSettings.Conversations, MacroSettings.Users);
        NewMessage[] messages = workload.Next(settings.Messages);
        NewMessage[] singles = workload.Next(settings.ConcurrentMessages);
        var queries = new Queries(workload, settings.Messages, settings.LatestReads, settings.UserReads);
        long started = Stopwatch.GetTimestamp();
        for (int c = 0; c < contenders.Length; c++)
        {
            // An untimed warm-up, so the first round does not pay for JIT compilation.
            string dir = Path.Combine(root, $"c{c}-warmup");
            await IngestAndReadAsync(contenders[c], dir, messages[..WarmupMessages], new Queries(workload, WarmupMessages, WarmupReads, WarmupReads));
            DeleteIfPresent(dir);
        }

        var ingest = Samples(contenders);
        var concurrent = Samples(contenders);
        var latest = Samples(contenders);
        var user = Samples(contenders);
        var disk = Samples(contenders);
        long bodyBytes = messages.Sum(static m => (long)m.Data.Length);
        for (int round = 0; round < settings.Rounds; round++)
        {
            for (int k = 0; k < contenders.Length; k++)
            {
                // Alternate which contender goes first, so drift on a shared machine does not favour one of them.
                int c = (k + round) % contenders.Length;
                Contender contender = contenders[c];
                string dir = Path.Combine(root, $"r{round}-c{c}-ingest");
                IngestResult result = await IngestAndReadAsync(contender, dir, messages, queries);
                long onDisk = measureDisk ? DirectoryBytes(dir) : 0;
                disk[c].Add(onDisk / (double)bodyBytes);
                DeleteIfPresent(dir);
                dir = Path.Combine(root, $"r{round}-c{c}-concurrent");
                (double single, string? singleBreakdown) = await ConcurrentAsync(contender, dir, singles);
                DeleteIfPresent(dir);
                ingest[c].Add(result.Ingest);
                latest[c].Add(result.Latest);
                user[c].Add(result.User);
                concurrent[c].Add(single);
                Console.WriteLine(
                    $"  round {round + 1}/{settings.Rounds}  {contender.Name,-20} batched {result.Ingest,8:N0} msg/s  concurrent {single,7:N0} msg/s  " +
                    $"latest-20 {result.Latest,8:N0} reads/s  user next-100 {result.User,8:N0} reads/s  ({result.Returned:N0} messages read)" +
                    (measureDisk ? $"  {onDisk / MiB:N1} MiB on disk for {bodyBytes / MiB:N1} MiB of bodies" : ""));
                if (result.IngestBreakdown is not null)
                {
                    Console.WriteLine($"      batched ingest {messages.Length / result.Ingest * 1000:N0} ms, in the provider: {result.IngestBreakdown}");
                    Console.WriteLine($"      concurrent     {singles.Length / single * 1000:N0} ms, in the provider: {singleBreakdown}");
                    Console.WriteLine($"      reads          {(queries.LatestConvIds.Length / result.Latest + queries.UserIds.Length / result.User) * 1000:N0} ms, in the provider: {result.ReadBreakdown}");
                }
            }
        }

        Console.WriteLine($"  (a)-(d) took {Stopwatch.GetElapsedTime(started).TotalSeconds:N0} s");
        report.Add($"(a) batched ingest, {MacroSettings.BatchSize}/batch, Full, flushed", "messages/s", true, $">= {goals.Ingest}x baseline", (_, r) => r >= goals.Ingest, Medians(ingest));
        report.Add($"(b) {MacroSettings.ConcurrentCallers} callers x 1 message, Full", "messages/s", true, $">= {goals.Concurrent}x baseline", (_, r) => r >= goals.Concurrent, Medians(concurrent));
        report.Add("(c) latest-20 of a random conversation", "reads/s", true, $">= {goals.Latest}x baseline", (_, r) => r >= goals.Latest, Medians(latest));
        report.Add("(d) user's next 100 after a random seq", "reads/s", true, $">= {goals.User}x baseline", (_, r) => r >= goals.User, Medians(user));
        if (measureDisk)
        {
            report.Add("(h) bytes on disk per body byte after (a), closed", "bytes", false, "<= 1.0", static (v, _) => v <= 1.0, Medians(disk));
        }
    }

    private static async Task<IngestResult> IngestAndReadAsync(Contender contender, string dir, NewMessage[] messages, Queries queries)
    {
        await using IChatStore store = await contender.Open(dir, Durability.Full);
        ProviderTimings? before = store.Timings?.Snapshot();
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < messages.Length; i += MacroSettings.BatchSize)
        {
            await store.AddBatchAsync(new ArraySegment<NewMessage>(messages, i, Math.Min(MacroSettings.BatchSize, messages.Length - i)));
        }

        // Sealing the full blocks left in memory is part of the ingest's cost, however many a seal waits for.
        await store.FlushAsync();
        double ingest = messages.Length / Stopwatch.GetElapsedTime(start).TotalSeconds;
        string? ingestBreakdown = store.Timings?.Since(before!);
        before = store.Timings?.Snapshot();
        long returned = 0;
        start = Stopwatch.GetTimestamp();
        foreach (string convId in queries.LatestConvIds)
        {
            returned += (await store.LatestAsync(convId, MacroSettings.LatestPageSize)).Count;
        }

        double latest = queries.LatestConvIds.Length / Stopwatch.GetElapsedTime(start).TotalSeconds;
        start = Stopwatch.GetTimestamp();
        for (int i = 0; i < queries.UserIds.Length; i++)
        {
            returned += (await store.UserNextAsync(queries.UserIds[i], queries.AfterSeqIds[i], MacroSettings.UserPageSize)).Count;
        }

        double user = queries.UserIds.Length / Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new IngestResult(ingest, latest, user, returned, ingestBreakdown, store.Timings?.Since(before!));
    }

    private static async Task<(double Rate, string? Breakdown)> ConcurrentAsync(Contender contender, string dir, NewMessage[] messages)
    {
        await using IChatStore store = await contender.Open(dir, Durability.Full);
        ProviderTimings? before = store.Timings?.Snapshot();
        int next = -1;
        var callers = new Task[MacroSettings.ConcurrentCallers];
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < callers.Length; i++)
        {
            callers[i] = Task.Factory.StartNew(
                async () =>
                {
                    int k;
                    while ((k = Interlocked.Increment(ref next)) < messages.Length)
                    {
                        await store.AddAsync(messages[k]);
                    }
                },
                CancellationToken.None,
                store.BlocksCallers ? TaskCreationOptions.LongRunning : TaskCreationOptions.None,
                TaskScheduler.Default).Unwrap();
        }

        await Task.WhenAll(callers);
        return (messages.Length / Stopwatch.GetElapsedTime(start).TotalSeconds, store.Timings?.Since(before!));
    }

    /// <summary>Scenario (e): build a large data set with Normal durability, close it, then time open + first read (median of three).</summary>
    private static async Task RunReopenAsync(MacroSettings settings, Contender[] contenders, string root, Report report)
    {
        var medians = new double[contenders.Length];
        for (int c = 0; c < contenders.Length; c++)
        {
            string dir = Path.Combine(root, $"c{c}-reopen");
            var workload = new Workload(MacroSettings.Conversations, MacroSettings.Users);
            long start = Stopwatch.GetTimestamp();
            await using (IChatStore store = await contenders[c].Open(dir, Durability.Normal))
            {
                for (int done = 0; done < settings.ReopenMessages; done += MacroSettings.BatchSize)
                {
                    await store.AddBatchAsync(workload.Next(Math.Min(MacroSettings.BatchSize, settings.ReopenMessages - done)));
                }
            }

            double buildSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var times = new double[ReopenRepeats];
            for (int r = 0; r < times.Length; r++)
            {
                GC.Collect();
                start = Stopwatch.GetTimestamp();
                await using IChatStore store = await contenders[c].Open(dir, Durability.Normal);
                await store.LatestAsync(workload.ConvIds[0], MacroSettings.LatestPageSize);
                times[r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            Directory.Delete(dir, recursive: true);
            medians[c] = Median(times);
            Console.WriteLine($"  reopen  {contenders[c].Name,-20} built {settings.ReopenMessages:N0} messages in {buildSeconds:N1} s; open + first read {string.Join(", ", times.Select(static t => $"{t:N0} ms"))}");
        }

        report.Add($"(e) reopen of {settings.ReopenMessages:N0} messages + first read", "ms", false, "< 1,000 ms", static (v, _) => v < 1000, medians);
    }

    /// <summary>
    /// Scenarios (f) and (g): the managed heap while the store is open, after one message in each of many distinct user timelines
    /// (default options), then the reopen of that data set and the first read of a cold user timeline. The heap is measured after
    /// a blocking, compacting full collection, before opening and with the store open; both figures are printed, so a negative
    /// difference (garbage of an earlier scenario collected meanwhile) cannot pass unnoticed.
    /// </summary>
    private static async Task RunMemoryAsync(MacroSettings settings, Contender[] contenders, string root, Report report)
    {
        var managed = new double[contenders.Length];
        var perTimeline = new double[contenders.Length];
        var reopen = new double[contenders.Length];
        for (int c = 0; c < contenders.Length; c++)
        {
            string dir = Path.Combine(root, $"c{c}-memory");
            var workload = new Workload(MacroSettings.Conversations, MacroSettings.Users);
            long heapBefore = HeapAfterFullCollection();
            long workingSetBefore = WorkingSet();
            IChatStore store = await contenders[c].Open(dir, Durability.Full);
            int timelines = 0;
            long start = Stopwatch.GetTimestamp();
            while (timelines < settings.MemoryTimelines)
            {
                var batch = new NewMessage[MacroSettings.BatchSize];
                for (int m = 0; m < batch.Length; m++)
                {
                    var userIds = new string[MemoryRecipients];
                    for (int u = 0; u < userIds.Length; u++)
                    {
                        userIds[u] = TimelineName(timelines++);
                    }

                    batch[m] = new NewMessage(workload.ConvIds[m % workload.ConvIds.Length], (uint)m, workload.NextBody(), userIds);
                }

                await store.AddBatchAsync(batch);
            }

            double writeSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            long heapOpen = HeapAfterFullCollection();
            long workingSetOpen = WorkingSet();
            GC.KeepAlive(store);
            managed[c] = (heapOpen - heapBefore) / MiB;
            perTimeline[c] = (heapOpen - heapBefore) / (double)timelines;
            Console.WriteLine(
                $"  memory  {contenders[c].Name,-20} {timelines:N0} timelines written in {writeSeconds:N1} s; heap {heapBefore / MiB:N1} MiB before open, " +
                $"{heapOpen / MiB:N1} MiB open ({(managed[c] < 0 ? "-" : "+")}{Math.Abs(managed[c]):N1} MiB, {perTimeline[c]:N0} B/timeline); " +
                $"working set {workingSetBefore / MiB:N0} -> {workingSetOpen / MiB:N0} MiB" +
                (heapOpen < heapBefore - MiB ? "  NEGATIVE: the heap before held garbage; this figure is invalid" : string.Empty));

            start = Stopwatch.GetTimestamp();
            await store.DisposeAsync();
            double closeSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var times = new double[ReopenRepeats];
            for (int r = 0; r < times.Length; r++)
            {
                HeapAfterFullCollection();
                start = Stopwatch.GetTimestamp();
                await using IChatStore reopened = await contenders[c].Open(dir, Durability.Full);
                await reopened.UserNextAsync(TimelineName(((r + 1) * timelines / (ReopenRepeats + 1)) + 3), 0, MacroSettings.UserPageSize);
                times[r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            reopen[c] = Median(times);
            Directory.Delete(dir, recursive: true);
            Console.WriteLine(
                $"  reopen  {contenders[c].Name,-20} closed in {closeSeconds:N1} s; open + first read of a cold user timeline {string.Join(", ", times.Select(static t => $"{t:N0} ms"))}");
        }

        int count = settings.MemoryTimelines;

        // The configured budgets (blocks, open blocks and timeline working set, 64 MiB each by default) plus 64 MiB.
        const double bound = (3 * 64) + 64;
        report.Add(
            $"(f) heap with the store open, {count:N0} user timelines", "MiB", false, $"<= {bound:N0} MiB (192 MiB budgets + 64 MiB)",
            static (v, _) => v <= bound, managed, withRatio: false);
        report.Add("(f) heap bytes per user timeline", "bytes", false, null, null, perTimeline, withRatio: false);
        report.Add($"(g) reopen of {count:N0} user timelines + cold first read", "ms", false, "< 1,000 ms", static (v, _) => v < 1000, reopen, withRatio: false);
    }

    private static string TimelineName(int index) => $"timeline-{index:D7}";

    /// <summary>The managed heap after a blocking, compacting collection of every generation, finalizers run and collected too.</summary>
    private static long HeapAfterFullCollection()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }

    private static void PrintHeader(MacroSettings settings, IReadOnlyList<string> args, string root)
    {
        Console.WriteLine("BlockStore macro benchmark");
        Console.WriteLine($"Command:  dotnet run -c Release --project tests/BlockStore.Benchmarks -- {string.Join(' ', args)}");
        Console.WriteLine(
            $"Machine:  {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription} {RuntimeInformation.OSArchitecture}, " +
            $"{RuntimeInformation.FrameworkDescription}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC");
        Console.WriteLine(
            $"Workload: {settings.Messages:N0} messages of 60-260 bytes of chat-like text, {MacroSettings.Conversations:N0} conversations (Zipf), " +
            $"{MacroSettings.Users:N0} users, 2-4 recipients from each conversation's members; seed {Workload.Seed}");
        Console.WriteLine(
            $"Sizes:    {settings.ConcurrentMessages:N0} concurrent single writes, {settings.LatestReads:N0} latest-20 reads, {settings.UserReads:N0} user reads, " +
            $"reopen of {settings.ReopenMessages:N0} messages, {settings.MemoryTimelines:N0} user timelines{(settings.Quick ? " (quick)" : "")}");
        Console.WriteLine($"Rounds:   {settings.Rounds}, alternating, median reported; data under {root}");
        Console.WriteLine();
    }

    /// <summary>Removes a data set's directory; a server data set has none.</summary>
    private static void DeleteIfPresent(string dir)
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The bytes of every file under <paramref name="dir"/> (a closed data set: stores, databases, logs, metadata).</summary>
    private static long DirectoryBytes(string dir) =>
        new DirectoryInfo(dir).EnumerateFiles("*", SearchOption.AllDirectories).Sum(static f => f.Length);

    private static long WorkingSet()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    private static List<double>[] Samples(Contender[] contenders) => [.. contenders.Select(static _ => new List<double>())];

    private static double[] Medians(List<double>[] samples) => [.. samples.Select(static s => Median([.. s]))];

    private static double Median(double[] values)
    {
        Array.Sort(values);
        int mid = values.Length / 2;
        return values.Length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    /// <summary>The figures of one ingest-and-read run, with where a BlockStore spent its time in the provider.</summary>
    private sealed record IngestResult(double Ingest, double Latest, double User, long Returned, string? IngestBreakdown, string? ReadBreakdown);

    /// <summary>The issue's goals for (a) to (d), as ratios to the baseline.</summary>
    private sealed record Goals(int Ingest, int Concurrent, int Latest, int User);

    /// <summary>A store under test: its name and how to open it in a directory with a durability level.</summary>
    private sealed record Contender(string Name, Func<string, Durability, Task<IChatStore>> Open);

    /// <summary>The random reads, fixed in advance so every contender answers the same questions.</summary>
    private sealed class Queries
    {
        public Queries(Workload workload, int messages, int latestReads, int userReads)
        {
            var random = new Random(Workload.Seed + 1);
            LatestConvIds = [.. Enumerable.Range(0, latestReads).Select(_ => workload.ConvIds[random.Next(workload.ConvIds.Length)])];
            UserIds = [.. Enumerable.Range(0, userReads).Select(_ => workload.MemberUserIds[random.Next(workload.MemberUserIds.Length)])];
            AfterSeqIds = [.. Enumerable.Range(0, userReads).Select(_ => random.NextInt64(messages))];
        }

        public string[] LatestConvIds { get; }

        public string[] UserIds { get; }

        public long[] AfterSeqIds { get; }
    }
}
