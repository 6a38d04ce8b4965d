using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace BlockStore.ClusterHost;

/// <summary>
/// Aggregate throughput of one, two and three silo processes on this machine: the same 48 durable writers (split evenly over
/// the silos, each writing through its own silo's factory) spread their writes over 50 data sets on PostgreSQL for a fixed time.
/// Usage: <c>dotnet run --project tests/BlockStore.ClusterHost -c Release -- scale "&lt;PostgreSQL connection string&gt;" [seconds per run, default 20]</c>.
/// Each run gets a schema of its own, dropped afterwards.
/// </summary>
public static class ScaleBenchmark
{
    private const int Writers = 48;

    public static Task<int> RunAsync(string[] args) => args[0] == "scale" ? MeasureAsync(args) : RunSiloAsync(args);

    private static async Task<int> MeasureAsync(string[] args)
    {
        string connectionString = args[1];
        int seconds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20;
        Console.WriteLine($"{Writers} durable writers (Durability.Full) over {ClusterWorkload.DataSets} data sets on PostgreSQL, {seconds} s per run, {Environment.ProcessorCount} cores");
        var rates = new List<double>();
        for (int silos = 1; silos <= 3; silos++)
        {
            string schema = $"scale_bench_{Guid.NewGuid().ToString("N")[..8]}";
            try
            {
                rates.Add(await RunClusterAsync(connectionString, schema, silos, seconds) / seconds);
            }
            finally
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
                await drop.ExecuteNonQueryAsync();
            }

            Console.WriteLine($"{silos} silo process(es): {rates[^1]:F0} msg/s ({rates[^1] / rates[0]:P0} of one silo)");
        }

        return 0;
    }

    /// <summary>Starts the silo processes, lets their writers go at once and returns how many messages they acknowledged together.</summary>
    private static async Task<long> RunClusterAsync(string connectionString, string schema, int silos, int seconds)
    {
        int[] ports = ClusterSilo.FreePorts(2 * silos);
        var processes = new List<Process>();
        try
        {
            for (int s = 0; s < silos; s++)
            {
                var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
                if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
                {
                    start.ArgumentList.Add(typeof(ScaleBenchmark).Assembly.Location);
                }

                start.ArgumentList.Add("scale-silo");
                foreach (int value in (int[])[ports[s], ports[silos + s], silos, Writers / silos, seconds])
                {
                    start.ArgumentList.Add(value.ToString(CultureInfo.InvariantCulture));
                }

                start.Environment["BLOCKSTORE_POSTGRES"] = connectionString;
                start.Environment["BLOCKSTORE_POSTGRES_SCHEMA"] = schema;
                processes.Add(Process.Start(start)!);
            }

            foreach (Process process in processes)
            {
                if (await process.StandardOutput.ReadLineAsync() != "READY")
                {
                    throw new InvalidOperationException("a silo process did not start");
                }
            }

            foreach (Process process in processes)
            {
                await process.StandardInput.WriteLineAsync("GO");
                await process.StandardInput.FlushAsync();
            }

            long total = 0;
            foreach (Process process in processes)
            {
                string? line = await process.StandardOutput.ReadLineAsync();
                total += long.Parse(line?.Split(' ')[1] ?? throw new InvalidOperationException("a silo process died"), CultureInfo.InvariantCulture);
            }

            return total;
        }
        finally
        {
            foreach (Process process in processes)
            {
                process.Kill(entireProcessTree: true);
                process.Dispose();
            }
        }
    }

    /// <summary>One silo: prints READY once the cluster is complete, waits for GO, writes for the given time and prints COUNT n.</summary>
    private static async Task<int> RunSiloAsync(string[] args)
    {
        int[] values = [.. args.Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture))];
        (int siloPort, int gatewayPort, int silos, int writers, int seconds) = (values[0], values[1], values[2], values[3], values[4]);
        using IHost host = await ClusterSilo.StartAsync(siloPort, gatewayPort, silos, Durability.Full);
        Console.WriteLine("READY");
        _ = Console.ReadLine();
        IMessageStoreFactory factory = host.Services.GetRequiredService<IMessageStoreFactory>();
        byte[] body = new byte[200];
        long count = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            string[] users = [$"user-{siloPort}-{w}", $"user-{w % 4}"];
            for (int i = 0; clock.Elapsed.TotalSeconds < seconds; i++)
            {
                IMessageStore store = factory.Get(ClusterWorkload.DataSetOf(((siloPort * 7) + (w * 13) + i) % ClusterWorkload.DataSets));
                await ClusterSilo.RetryAsync(() => store.AddMessageAsync($"conv-{i % ClusterWorkload.Conversations}", (uint)w, body, users));
                Interlocked.Increment(ref count);
            }
        })));
        Console.WriteLine($"COUNT {count}");
        return 0;
    }
}
