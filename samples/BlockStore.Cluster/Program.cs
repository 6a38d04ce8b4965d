using System.Net;
using System.Text;
using BlockStore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;

// Starts three silos on this machine over one PostgreSQL database, which holds both the data sets and the cluster's
// membership, writes to twelve data sets (tenants) through the cluster, shows which silo owns each, stops one silo, and
// shows its data sets moving to the others with every message still there.
// Usage: dotnet run --project samples/BlockStore.Cluster -- "<PostgreSQL connection string>"   (or set BLOCKSTORE_POSTGRES)
string? connectionString = args.Length > 0 ? args[0] : Environment.GetEnvironmentVariable("BLOCKSTORE_POSTGRES");
if (string.IsNullOrWhiteSpace(connectionString))
{
    Console.Error.WriteLine("Pass a PostgreSQL connection string as the first argument or set BLOCKSTORE_POSTGRES.");
    return 2;
}

const int Silos = 3;
const int Tenants = 12;
const int BasePort = 11111;
string schema = "cluster_sample";
var silos = new List<IHost>();
for (int i = 0; i < Silos; i++)
{
    int siloPort = BasePort + i;
    IHost silo = Host.CreateDefaultBuilder()
        .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Error))
        .UseOrleans(builder => builder
            .Configure<ClusterOptions>(o => o.ClusterId = o.ServiceId = "cluster-sample")
            .ConfigureEndpoints(IPAddress.Loopback, siloPort, 30000 + i)
            // Membership lives in PostgreSQL beside the data sets: silos find each other there, and any of them may stop.
            .UseBlockStorePostgresClustering(connectionString, schema)
            .AddBlockStore(b => b.UsePostgres(o =>
            {
                o.ConnectionString = connectionString;
                o.Schema = schema;
            })))
        .Build();
    await silo.StartAsync();
    silos.Add(silo);
    Console.WriteLine($"silo {i} started on port {siloPort}");
}

// Any silo (or a client) reaches any data set: the factory routes each call to the data set's grain.
IServiceProvider app = silos[0].Services;
IMessageStoreFactory factory = app.GetRequiredService<IMessageStoreFactory>();
IManagementGrain management = app.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
string run = DateTime.UtcNow.ToString("HHmmss");
var sent = new Dictionary<string, long>();
for (int t = 0; t < Tenants; t++)
{
    string tenant = $"tenant-{t}-{run}";
    Message message = await factory.Get(tenant).AddMessageAsync("general", 1, Encoding.UTF8.GetBytes($"hello from {tenant}"), ["alice", "bob"]);
    sent[tenant] = message.SeqId;
}

await ShowPlacementAsync("Data sets per silo:");
Console.WriteLine($"stopping silo {Silos - 1} ...");
await silos[^1].StopAsync();
silos[^1].Dispose();
silos.RemoveAt(silos.Count - 1);

foreach (string tenant in sent.Keys)
{
    IMessageStore store = factory.Get(tenant);
    IReadOnlyList<Message> history = await store.GetConvMessagesAsync("general", 10);
    Message next = await store.AddMessageAsync("general", 2, Encoding.UTF8.GetBytes("still here"), ["alice", "bob"]);
    if (history.Count != 1 || history[0].SeqId != sent[tenant] || next.SeqId <= sent[tenant])
    {
        Console.Error.WriteLine($"{tenant}: expected its message {sent[tenant]} and a later SeqId, found {history.Count} messages and {next.SeqId}");
        return 1;
    }
}

await ShowPlacementAsync("After the stop, the same data sets per silo (each reopened from PostgreSQL, nothing lost):");
foreach (IHost silo in silos)
{
    await silo.StopAsync();
    silo.Dispose();
}

return 0;

async Task ShowPlacementAsync(string title)
{
    Console.WriteLine(title);
    DetailedGrainStatistic[] grains = await management.GetDetailedGrainStatistics(types: null);
    foreach (IGrouping<SiloAddress, DetailedGrainStatistic> silo in grains.Where(g => g.GrainType.Contains("DataSetGrain", StringComparison.Ordinal)).GroupBy(g => g.SiloAddress))
    {
        Console.WriteLine($"  silo {silo.Key.Endpoint.Port - BasePort}: {string.Join(", ", silo.Select(g => g.GrainId.Key.ToString()).Order())}");
    }
}
