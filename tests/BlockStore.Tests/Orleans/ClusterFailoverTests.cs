using System.Diagnostics;
using System.Globalization;
using System.Text;
using BlockStore.ClusterHost;
using BlockStore.Orleans;
using BlockStore.Tests.Contract;
using BlockStore.Tests.Providers.Postgres;
using BlockStore.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;
using Xunit.Abstractions;

namespace BlockStore.Tests.Orleans;

/// <summary>
/// Three silo processes on loopback (<c>BlockStore.ClusterHost</c>) find each other through the membership tables in PostgreSQL
/// and write through their own factories into 50 data sets there; one is killed with SIGKILL mid-run, the others must declare it
/// dead in the table, every data set must take writes again, and the survivors must hold every acknowledged message with no gap.
/// The test prints how long after the kill every data set was writable again (the failover time).
/// </summary>
public sealed class ClusterFailoverTests(ITestOutputHelper output) : StoreTestBase(new PostgresFixture())
{
    private const int Active = 3;
    private const int Dead = 6;

    private const int Writers = 4;
    private const int Messages = 40;

    /// <summary>The silo killed mid-run; its writers go on until then, so however fast the writes, the kill finds them writing.</summary>
    private const int Victim = 2;

    private const int UntilKilled = 1_000_000;

    [SkippableFact]
    public async Task Killing_one_of_three_silos_mid_run_loses_no_acknowledged_message_and_leaves_no_gap()
    {
        var postgres = (PostgresFixture)Fixture;
        postgres.Options();
        int[] ports = ClusterSilo.FreePorts(6);
        CrashChildProcess[] silos = [.. Enumerable.Range(0, 3).Select(s => CrashChildProcess.StartProgram(
            "BlockStore.ClusterHost", postgres.ChildEnvironment,
            Text(s), Text(ports[s]), Text(ports[3 + s]), Text(Writers), Text(s == Victim ? UntilKilled : Messages)))];
        IHost? client = null;
        try
        {
            foreach (CrashChildProcess silo in silos)
            {
                await silo.WaitUntilReadyAsync();
            }

            Assert.Equal(3, Members(postgres, Active));
            client = new HostBuilder()
                .ConfigureLogging(logging => logging.ClearProviders())
                .UseOrleansClient(c => c
                    .Configure<ClusterOptions>(o => o.ClusterId = o.ServiceId = ClusterWorkload.ClusterId)
                    .UseBlockStorePostgresClustering(PostgresFixture.ConnectionString!, postgres.Schema)
                    .AddBlockStore())
                .Build();
            await client.StartAsync();
            IMessageStoreFactory factory = client.Services.GetRequiredService<IMessageStoreFactory>();
            foreach (CrashChildProcess silo in silos)
            {
                await silo.SendAsync("GO");
            }

            await silos[Victim].WaitForAsync(lines => Acks(lines).Count >= Writers * Messages / 3);
            List<string> victimLines = await silos[Victim].KillAsync();
            var sinceKill = Stopwatch.StartNew();
            Assert.DoesNotContain("DONE", victimLines);
            List<Ack> acknowledged = Acks(victimLines);
            await Task.WhenAll(Enumerable.Range(0, ClusterWorkload.DataSets).Select(d => ClusterSilo.RetryAsync(() => factory.Get(ClusterWorkload.DataSetOf(d)).AddMessageAsync("probe", 1, Encoding.UTF8.GetBytes("probe"), []))));
            output.WriteLine($"failover: every one of {ClusterWorkload.DataSets} data sets took a write again {sinceKill.Elapsed.TotalSeconds:F1} s after the SIGKILL");
            await WaitUntilAsync(() => Members(postgres, Dead) == 1, "the killed silo is declared dead in the membership table");
            Assert.Equal(2, Members(postgres, Active));
            await silos[0].WaitForAsync(lines => lines.Contains("DONE"));
            await silos[1].WaitForAsync(lines => lines.Contains("DONE"));
            acknowledged.AddRange(Acks(silos[0].Lines));
            acknowledged.AddRange(Acks(silos[1].Lines));
            Assert.Equal(2 * Writers * Messages, acknowledged.Count - acknowledged.Count(a => a.Key.StartsWith($"s{Victim}-", StringComparison.Ordinal)));

            for (int d = 0; d < ClusterWorkload.DataSets; d++)
            {
                string dataSet = ClusterWorkload.DataSetOf(d);
                await VerifyAsync(factory.Get(dataSet), [.. acknowledged.Where(a => a.DataSet == dataSet)]);
            }
        }
        finally
        {
            if (client is not null)
            {
                await client.StopAsync();
                client.Dispose();
            }

            foreach (CrashChildProcess silo in silos)
            {
                silo.Dispose();
            }
        }
    }

    /// <summary>
    /// Every acknowledged message is stored with its SeqId; SeqIds are unique in the data set and each key is stored once (one
    /// writer at a time); each user timeline holds exactly the stored messages addressed to that user, in order; a new message
    /// gets a SeqId above every acknowledged one.
    /// </summary>
    private static async Task VerifyAsync(IMessageStore store, List<Ack> acknowledged)
    {
        var stored = new List<Message>();
        for (int c = 0; c < ClusterWorkload.Conversations; c++)
        {
            stored.AddRange(await store.GetConvMessagesAsync(ClusterWorkload.ConvOf(c), int.MaxValue));
        }

        Dictionary<long, string> bySeq = stored.ToDictionary(m => m.SeqId, m => Encoding.UTF8.GetString(m.Data.Span));
        Assert.Equal(bySeq.Count, bySeq.Values.Distinct().Count());
        foreach (Ack ack in acknowledged)
        {
            Assert.True(bySeq.TryGetValue(ack.SeqId, out string? key) && key == ack.Key, $"{ack.DataSet}: acknowledged {ack.Key} as {ack.SeqId} but found {key ?? "nothing"}");
        }

        foreach (IGrouping<string, long> user in bySeq.SelectMany(p => ClusterWorkload.UsersOf(p.Value).Select(u => (User: u, Seq: p.Key))).GroupBy(x => x.User, x => x.Seq))
        {
            IReadOnlyList<Message> timeline = await store.GetUserMessagesAsync(user.Key, 0, int.MaxValue);
            Assert.Equal(user.Order(), timeline.Select(m => m.SeqId));
        }

        Message next = await store.AddMessageAsync("after", 1, Encoding.UTF8.GetBytes("after"), []);
        Assert.True(acknowledged.Count == 0 || next.SeqId > acknowledged.Max(a => a.SeqId));
    }

    /// <summary>Waits up to a minute for <paramref name="condition"/>, then asserts it.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.True(condition(), what);
    }

    /// <summary>How many silos the membership table lists with a status (3 active, 6 dead).</summary>
    private static int Members(PostgresFixture postgres, int status) =>
        postgres.Scalar<int>($"SELECT count(*)::integer FROM {postgres.Schema}.cluster_membership WHERE status = @status", ("status", status));

    private static List<Ack> Acks(List<string> lines) =>
        [.. lines.Where(l => l.StartsWith("A ", StringComparison.Ordinal)).Select(l => l.Split(' ')).Select(p => new Ack(p[1], long.Parse(p[2], CultureInfo.InvariantCulture), p[3]))];

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed record Ack(string DataSet, long SeqId, string Key);
}
