using System.Diagnostics;
using System.Text;
using BlockStore.Providers;
using BlockStore.Providers.File;
using BlockStore.Providers.Sqlite;

namespace BlockStore.Benchmarks;

/// <summary>
/// The inbox benchmark (<c>-- inbox [--provider sqlite|file]</c>, SQLite by default) with Durability.Full: pages of 20 of a user in 500 conversations, hot
/// (pages per second, paging through all of them again and again) and cold (the first page after reopening, with the
/// index lookups it took), then the cost of one message to a group of 10,000 members and of saving its inbox rows.
/// </summary>
internal static class InboxBenchmark
{
    private const int Conversations = 500;
    private const int MessagesPerConversation = 4;
    private const int PageSize = 20;
    private const int GroupMembers = 10_000;
    private const int GroupMessages = 20;
    private const string Reader = "reader";
    private static readonly TimeSpan HotFor = TimeSpan.FromSeconds(3);

    /// <summary>Runs the measurements and prints them.</summary>
    /// <returns>The process exit code.</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        int at = args.ToList().IndexOf("--provider");
        string name = at >= 0 && at + 1 < args.Count ? args[at + 1] : "sqlite";
        Func<IBlockStoreProvider>? create = name switch
        {
            "sqlite" => static () => new SqliteBlockStoreProvider(new SqliteBlockStoreOptions()),
            "file" => static () => new FileBlockStoreProvider(new FileBlockStoreOptions()),
            _ => null,
        };
        if (create is null)
        {
            Console.Error.WriteLine($"Unknown provider '{name}'. Usage: inbox [--provider sqlite|file]");
            return 2;
        }

                string root = Path.Combine(Path.GetTempPath(), $"blockstore-inbox-bench-{Guid.NewGuid():N}"[..32]);
        Console.WriteLine($"Inbox benchmark: {name} provider, Durability.Full");
        try
        {
            await PagesAsync(Path.Combine(root, "pages"), () => new TimedProvider(create()));
            await LargeGroupAsync(Path.Combine(root, "group"), () => new TimedProvider(create()));
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

    private static BlockStoreOptions Options(string dataDir) => new() { DataDir = dataDir, Durability = Durability.Full };

    private static async Task PagesAsync(string dataDir, Func<TimedProvider> provider)
    {
        await using (MessageStore store = await MessageStore.OpenAsync(Options(dataDir), provider()))
        {
            for (int round = 0; round < MessagesPerConversation; round++)
            {
                var batch = new List<NewMessage>(Conversations);
                for (int c = 0; c < Conversations; c++)
                {
                    batch.Add(new NewMessage($"conv-{c}", (uint)(c % 50) + 1, Encoding.UTF8.GetBytes($"message {round} of conversation {c}, about lunch"), [Reader, $"member-{c % 97}"]));
                }

                await store.AddMessagesAsync(batch);
            }

            // Half the conversations read: the pages mix read and unread entries.
            for (int c = 0; c < Conversations; c += 2)
            {
                await store.UpdateReadMarkerAsync(Reader, $"conv-{c}", (await store.GetConvMessagesAsync($"conv-{c}", 1))[0].SeqId);
            }

            int pages = 0;
            long cursor = 0;
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < HotFor)
            {
                IReadOnlyList<InboxEntry> page = await store.GetInboxAsync(Reader, PageSize, cursor);
                cursor = page.Count == PageSize ? page[^1].LastMessage.SeqId : 0;
                pages++;
            }

            Console.WriteLine($"hot: {pages / watch.Elapsed.TotalSeconds:N0} pages/s (pages of {PageSize} of a user in {Conversations:N0} conversations, paging through all of them again and again, one caller)");
        }

        TimedProvider cold = provider();
        await using MessageStore reopened = await MessageStore.OpenAsync(Options(dataDir), cold);
        ProviderTimings before = cold.Timings.Snapshot();
        var first = Stopwatch.StartNew();
        IReadOnlyList<InboxEntry> firstPage = await reopened.GetInboxAsync(Reader, PageSize);
        first.Stop();
        Console.WriteLine($"cold: first page after reopening ({firstPage.Count} conversations) in {first.Elapsed.TotalMilliseconds:N2} ms; " +
            $"inbox index lookups {cold.Timings.InboxReads.Since(before.InboxReads)}, block reads {cold.Timings.BlockReads.Since(before.BlockReads)}");
    }

    private static async Task LargeGroupAsync(string dataDir, Func<TimedProvider> open)
    {
        TimedProvider provider = open();
        string[] members = [.. Enumerable.Range(0, GroupMembers).Select(i => $"member-{i}")];
        byte[] body = Encoding.UTF8.GetBytes("the quarterly all-hands moves to Thursday");
        var perMessage = new List<double>(GroupMessages);
        ProviderTimings before = provider.Timings.Snapshot();
        await using (MessageStore store = await MessageStore.OpenAsync(Options(dataDir), provider))
        {
            var first = Stopwatch.StartNew();
            await store.AddMessageAsync("all-hands", 1, body, members);
            Console.WriteLine($"group of {GroupMembers:N0}: first message (creates the member timelines) {first.Elapsed.TotalMilliseconds:N1} ms");
            for (int i = 0; i < GroupMessages; i++)
            {
                long start = Stopwatch.GetTimestamp();
                await store.AddMessageAsync("all-hands", 1, body, members);
                perMessage.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

            perMessage.Sort();
            Console.WriteLine($"group of {GroupMembers:N0}: one message {perMessage[perMessage.Count / 2]:N2} ms (median of {GroupMessages}), inbox saves so far {provider.Timings.InboxSaves.Since(before.InboxSaves, "rows")}");
            before = provider.Timings.Snapshot();
        }

        // Closing seals every open block, which first saves the group's inbox rows: one per member, however many messages it got.
        Console.WriteLine($"group of {GroupMembers:N0}: closing saved inbox rows {provider.Timings.InboxSaves.Since(before.InboxSaves, "rows")}, " +
            $"beside block writes {provider.Timings.BlockWrites.Since(before.BlockWrites)} " +
            $"and block metadata {provider.Timings.BlockCommits.Since(before.BlockCommits)}");
    }
}
