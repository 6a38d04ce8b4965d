using System.Diagnostics;
using System.Globalization;
using BlockStore.CrashChild;
using BlockStore.Tests.Contract;

namespace BlockStore.Tests.Contract;

/// <summary>
/// kill -9 tests: a child process writes with concurrent writers and prints every acknowledgement; the test kills it at
/// a random moment, several rounds on the same data set, and checks that everything acknowledged survived.
/// Rounds per run: the BLOCKSTORE_CRASH_ROUNDS environment variable (default 3).
/// </summary>
public abstract partial class ContractTests
{
    private const int Writers = 4;

    [Theory]
    [InlineData(Durability.Full)]
    [InlineData(Durability.Normal)]
    public async Task Acknowledged_writes_survive_kill_9(Durability durability)
    {
        int rounds = int.TryParse(Environment.GetEnvironmentVariable("BLOCKSTORE_CRASH_ROUNDS"), out int r) ? r : 3;
        var acknowledged = new Dictionary<long, (int Round, int Writer, int I)>();
        var checkpoints = new Dictionary<string, long>();
        var random = new Random(durability == Durability.Full ? 1 : 2);
        for (int round = 0; round < rounds; round++)
        {
            List<string> lines = await RunAndKillAsync(durability, round, TimeSpan.FromMilliseconds(random.Next(300, 1500)));
            int acks = Parse(lines, acknowledged, checkpoints);
            Assert.True(acks > 0, $"round {round}: the child acknowledged nothing ({string.Join(" | ", lines.Take(5))})");

            await using MessageStore store = await MessageStore.OpenAsync(CrashWorkload.Options(DataDir, durability), Fixture.CreateProvider());
            await AssertSurvivedAsync(store, acknowledged, checkpoints);
            VerificationReport report = await store.VerifyAsync();
            Assert.True(report.IsHealthy, string.Join("; ", report.Problems.Select(p => p.Description)));
            await AssertRetriesReturnTheOriginalsAsync(store, acknowledged, round);
            Message next = await store.AddMessageAsync("after-crash", 0, Bytes("next"), ["user-0"]);
            Assert.True(next.SeqId > acknowledged.Keys.Max(), $"next SeqId {next.SeqId} is not above {acknowledged.Keys.Max()}");
            acknowledged[next.SeqId] = (-1, -1, -1);
        }
    }

    [Fact]
    public async Task A_data_set_open_in_another_process_is_refused_until_that_process_dies()
    {
        using Process child = StartChild(Durability.Normal, round: 0);
        var lines = new List<string>();
        Task reading = ReadLinesAsync(child, lines);
        await WaitUntilReadyAsync(child, lines);
        for (int i = 0; i < 500 && Count(lines) < 2; i++)
        {
            await Task.Delay(20);
        }

        var error = await Assert.ThrowsAsync<StoreLockedException>(
            () => MessageStore.OpenAsync(CrashWorkload.Options(DataDir, Durability.Normal), Fixture.CreateProvider()));
        child.Kill(entireProcessTree: true);
        await child.WaitForExitAsync();
        await reading;

        Assert.Contains("already open", error.Message, StringComparison.Ordinal);
        await using MessageStore store = await MessageStore.OpenAsync(CrashWorkload.Options(DataDir, Durability.Normal), Fixture.CreateProvider());
        Assert.True((await store.GetStatsAsync()).Messages > 0);
    }

    private static async Task AssertSurvivedAsync(MessageStore store, Dictionary<long, (int Round, int Writer, int I)> acknowledged, Dictionary<string, long> checkpoints)
    {
        var conversations = new Dictionary<string, Dictionary<long, Message>>();
        var users = new Dictionary<string, HashSet<long>>();
        foreach ((long seq, (int round, int writer, int i)) in acknowledged)
        {
            if (round < 0)
            {
                continue;
            }

            string conv = CrashWorkload.ConvOf(writer, i);
            if (!conversations.TryGetValue(conv, out Dictionary<long, Message>? stored))
            {
                stored = (await store.GetConvMessagesAsync(conv, int.MaxValue)).ToDictionary(m => m.SeqId);
                conversations[conv] = stored;
            }

            Assert.True(stored.TryGetValue(seq, out Message? message), $"acknowledged message {seq} is missing from {conv}");
            Assert.Equal(CrashWorkload.DataOf(round, writer, i), message.Data.ToArray());
            Assert.Equal((uint)writer, message.SenderId);
            foreach (string user in CrashWorkload.UsersOf(writer, i))
            {
                if (!users.TryGetValue(user, out HashSet<long>? seen))
                {
                    seen = (await store.GetUserMessagesAsync(user, 0, int.MaxValue)).Select(m => m.SeqId).ToHashSet();
                    users[user] = seen;
                }

                Assert.True(seen.Contains(seq), $"acknowledged message {seq} is missing from {user}'s timeline");
            }
        }

        foreach ((string user, long seq) in checkpoints)
        {
            Assert.True(await store.GetUserCheckpointAsync(user) >= seq, $"{user}'s acknowledged checkpoint {seq} went back");
        }
    }

    /// <summary>Retrying each writer's newest acknowledged messages of the killed round with their keys stores nothing new.</summary>
    /// <remarks>
    /// Only messages among the round's newest 200 SeqIds are retried: the workload's small JournalMaxBytes leaves room for about
    /// 400 keys, and a writer whose last call was slow can be further behind.
    /// </remarks>
    private static async Task AssertRetriesReturnTheOriginalsAsync(MessageStore store, Dictionary<long, (int Round, int Writer, int I)> acknowledged, int killedRound)
    {
        long newest = acknowledged.Where(a => a.Value.Round == killedRound).Max(a => a.Key);
        int retries = 0;
        foreach (var group in acknowledged.Where(a => a.Value.Round == killedRound && a.Key > newest - 200).GroupBy(a => a.Value.Writer))
        {
            foreach ((long seq, (int round, int writer, int i)) in group.OrderByDescending(a => a.Key).Take(3))
            {
                Message retried = await store.AddMessageAsync(
                    CrashWorkload.ConvOf(writer, i), (uint)writer, CrashWorkload.DataOf(round, writer, i), CrashWorkload.UsersOf(writer, i), CrashWorkload.KeyOf(round, writer, i));
                Assert.True(retried.SeqId == seq, $"retrying acknowledged message {seq} (round {round}, writer {writer}, item {i}) with its key stored {retried.SeqId}");
                retries++;
            }
        }

        Assert.True(retries > 0);
    }

    private static int Parse(List<string> lines, Dictionary<long, (int, int, int)> acknowledged, Dictionary<string, long> checkpoints)
    {
        int acks = 0;
        foreach (string line in lines)
        {
            string[] parts = line.Split(' ');
            if (parts is ["A", var seq, var round, var writer, var i])
            {
                acknowledged[long.Parse(seq, CultureInfo.InvariantCulture)] =
                    (int.Parse(round, CultureInfo.InvariantCulture), int.Parse(writer, CultureInfo.InvariantCulture), int.Parse(i, CultureInfo.InvariantCulture));
                acks++;
            }
            else if (parts is ["C", var user, var cp])
            {
                checkpoints[user] = Math.Max(checkpoints.GetValueOrDefault(user), long.Parse(cp, CultureInfo.InvariantCulture));
            }
        }

        return acks;
    }

    private async Task<List<string>> RunAndKillAsync(Durability durability, int round, TimeSpan runFor)
    {
        using Process child = StartChild(durability, round);
        var lines = new List<string>();
        Task reading = ReadLinesAsync(child, lines);
        await WaitUntilReadyAsync(child, lines);
        await Task.Delay(runFor);
        child.Kill(entireProcessTree: true);
        await child.WaitForExitAsync();
        await reading;

        // Each line reaches the pipe in one write of less than PIPE_BUF bytes, so a kill never leaves half a line.
        return lines;
    }

    private Process StartChild(Durability durability, int round)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "BlockStore.CrashChild.dll"), Fixture.Name, durability.ToString(), DataDir,
            round.ToString(CultureInfo.InvariantCulture), Writers.ToString(CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    private static Task ReadLinesAsync(Process child, List<string> lines) => Task.Run(async () =>
    {
        while (await child.StandardOutput.ReadLineAsync() is { } line)
        {
            lock (lines)
            {
                lines.Add(line);
            }
        }
    });

    private static async Task WaitUntilReadyAsync(Process child, List<string> lines)
    {
        var waited = Stopwatch.StartNew();
        while (!ReadyIn(lines) && !child.HasExited && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(20);
        }

        if (!ReadyIn(lines))
        {
            Assert.Fail($"the child is not ready (exited: {child.HasExited}): {(child.HasExited ? await child.StandardError.ReadToEndAsync() : "")}");
        }
    }

    private static int Count(List<string> lines)
    {
        lock (lines)
        {
            return lines.Count;
        }
    }

    private static bool ReadyIn(List<string> lines)
    {
        lock (lines)
        {
            return lines.Contains("READY");
        }
    }
}
