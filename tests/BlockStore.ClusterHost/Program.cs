using System.Globalization;
using System.Net;
using BlockStore;
using BlockStore.ClusterHost;
using BlockStore.Orleans;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;

// One silo of the cluster test: hosts data sets on PostgreSQL, finds the other silos through the membership tables in the
// same schema (with Orleans' default membership settings, so the test measures failover as shipped), and runs writers
// through its own IMessageStoreFactory.
// Arguments: silo index, silo port, gateway port, writers, messages per writer.
// Environment: BLOCKSTORE_POSTGRES (connection string) and BLOCKSTORE_POSTGRES_SCHEMA.
// Prints READY once the cluster has all three silos, then waits for a line (GO) on its standard input before its writers start;
// prints "A <dataSet> <seqId> <key>" per acknowledged message, DONE when its writers finish.
// With "routing" first, it measures instead the cost of routing writes through a silo (see RoutingBenchmark).
if (args[0] == "routing")
{
    return await RoutingBenchmark.RunAsync(args);
}

int silo = int.Parse(args[0], CultureInfo.InvariantCulture);
int siloPort = int.Parse(args[1], CultureInfo.InvariantCulture);
int gatewayPort = int.Parse(args[2], CultureInfo.InvariantCulture);
int writers = int.Parse(args[3], CultureInfo.InvariantCulture);
int messages = int.Parse(args[4], CultureInfo.InvariantCulture);
string connectionString = Environment.GetEnvironmentVariable("BLOCKSTORE_POSTGRES")!;
string schema = Environment.GetEnvironmentVariable("BLOCKSTORE_POSTGRES_SCHEMA")!;
const int Silos = 3;

using IHost host = Host.CreateDefaultBuilder()
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
            .Configure(o => o.Durability = Durability.Normal)))
    .Build();
await host.StartAsync();

IManagementGrain management = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
while ((await management.GetHosts(onlyActive: true)).Count < Silos)
{
    await Task.Delay(100);
}

var output = TextWriter.Synchronized(Console.Out);
output.WriteLine("READY");
_ = Console.ReadLine();

IMessageStoreFactory factory = host.Services.GetRequiredService<IMessageStoreFactory>();
await Task.WhenAll(Enumerable.Range(0, writers).Select(writer => Task.Run(async () =>
{
    for (int i = 0; i < messages; i++)
    {
        string key = ClusterWorkload.KeyOf(silo, writer, i);
        string dataSet = ClusterWorkload.DataSetOf(ClusterWorkload.DataSetIndexOf(silo, writer, i));
        IMessageStore store = factory.Get(dataSet);
        Message stored = await WriteAsync(store, key, i);
        output.WriteLine($"A {dataSet} {stored.SeqId} {key}");
    }
})));
output.WriteLine("DONE");
await Task.Delay(Timeout.InfiniteTimeSpan);
return 0;

// Retries what the cluster could not answer (a silo died, a data set is moving) with the same key, so nothing is stored twice.
static async Task<Message> WriteAsync(IMessageStore store, string key, int i)
{
    var deadline = DateTime.UtcNow.AddSeconds(90);
    while (true)
    {
        try
        {
            return await store.AddMessageAsync(ClusterWorkload.ConvOf(i), 1, ClusterWorkload.DataOf(key), ClusterWorkload.UsersOf(key), key);
        }
        catch (DataSetUnavailableException) when (DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }
    }
}
