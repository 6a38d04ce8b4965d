using System.Diagnostics;
using System.Globalization;
using BlockStore.Providers.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Hosting;

namespace BlockStore.ClusterHost;

/// <summary>
/// The cost of routing through Orleans: 16 concurrent durable writers into one data set on PostgreSQL, first through a
/// MessageStore in this process, then through IMessageStoreFactory of a one-silo cluster in this process.
/// Usage: <c>dotnet run --project tests/BlockStore.ClusterHost -c Release -- routing "&lt;PostgreSQL connection string&gt;" [seconds per run, default 10]</c>.
/// </summary>
public static class RoutingBenchmark
{
    private const int Writers = 16;

    public static async Task<int> RunAsync(string[] args)
    {
        string connectionString = args[1];
        TimeSpan duration = TimeSpan.FromSeconds(args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10);
        string schema = "routing_bench_" + Guid.NewGuid().ToString("N")[..8];
        var postgres = new PostgresBlockStoreOptions { ConnectionString = connectionString, Schema = schema };

        double direct;
        await using (MessageStore store = await MessageStore.OpenAsync(new BlockStoreOptions { DataSet = "direct" }, new PostgresBlockStoreProvider(postgres)))
        {
            direct = await MeasureAsync(store, duration);
        }

        using IHost silo = Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Error))
            .UseOrleans(b => b.UseLocalhostClustering().AddBlockStore(s => s.UsePostgres(o =>
            {
                o.ConnectionString = connectionString;
                o.Schema = schema;
            })))
            .Build();
        await silo.StartAsync();
        double routed = await MeasureAsync(silo.Services.GetRequiredService<IMessageStoreFactory>().Get("routed"), duration);
        await silo.StopAsync();

        Console.WriteLine($"{Writers} durable writers, {duration.TotalSeconds:F0} s each: direct {direct:F0} msg/s, through one silo {routed:F0} msg/s ({routed / direct:P0} of direct)");
        return 0;
    }

    private static async Task<double> MeasureAsync(IMessageStore store, TimeSpan duration)
    {
        byte[] body = new byte[200];
        await store.AddMessageAsync("warm-up", 1, body, ["u"]);
        long count = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            string[] users = [$"user-{w}", $"user-{(w + 1) % Writers}"];
            for (int i = 0; clock.Elapsed < duration; i++)
            {
                await store.AddMessageAsync($"conv-{w}-{i % 8}", (uint)w, body, users);
                Interlocked.Increment(ref count);
            }
        })));
        return count / clock.Elapsed.TotalSeconds;
    }
}
