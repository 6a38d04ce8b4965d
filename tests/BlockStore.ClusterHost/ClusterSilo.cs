using System.Net;
using System.Net.Sockets;
using BlockStore.Orleans;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;

namespace BlockStore.ClusterHost;

/// <summary>One silo process of a loopback cluster: data sets on PostgreSQL, membership in the same schema.</summary>
public static class ClusterSilo
{
    /// <summary>
    /// Starts a silo listening on <paramref name="siloPort"/> (silos) and <paramref name="gatewayPort"/> (clients), with data sets
    /// and membership in the schema named by <c>BLOCKSTORE_POSTGRES_SCHEMA</c> of the database <c>BLOCKSTORE_POSTGRES</c>, and waits
    /// until the cluster has <paramref name="silos"/> active silos.
    /// </summary>
    public static async Task<IHost> StartAsync(int siloPort, int gatewayPort, int silos, Durability durability)
    {
        string connectionString = Environment.GetEnvironmentVariable("BLOCKSTORE_POSTGRES")!;
        string schema = Environment.GetEnvironmentVariable("BLOCKSTORE_POSTGRES_SCHEMA")!;
        IHost host = Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.ClearProviders())
            .UseOrleans(siloBuilder => siloBuilder
                .Configure<ClusterOptions>(o => o.ClusterId = o.ServiceId = ClusterWorkload.ClusterId)
                .ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort)
                .UseBlockStorePostgresClustering(connectionString, schema)
                .AddBlockStore(b => b
                    .UsePostgres(o =>
                    {
                        o.ConnectionString = connectionString;
                        o.Schema = schema;
                    })
                    .Configure(o => o.Durability = durability)))
            .Build();
        await host.StartAsync();
        IManagementGrain management = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        while ((await management.GetHosts(onlyActive: true)).Count < silos)
        {
            await Task.Delay(100);
        }

        return host;
    }

    /// <summary>Retries a call the cluster could not answer (a silo died, a data set is moving) for up to 90 seconds.</summary>
    public static async Task<T> RetryAsync<T>(Func<Task<T>> call)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (DataSetUnavailableException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Ports free on loopback now (held open together, so they differ).</summary>
    public static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        foreach (TcpListener listener in listeners)
        {
            listener.Start();
        }

        int[] ports = [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        foreach (TcpListener listener in listeners)
        {
            listener.Stop();
        }

        return ports;
    }
}
