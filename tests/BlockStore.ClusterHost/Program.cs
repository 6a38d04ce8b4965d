using System.Globalization;
using BlockStore;
using BlockStore.ClusterHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// One silo of the cluster test: hosts data sets on PostgreSQL, finds the other silos through the membership tables in the
// same schema (with Orleans' default membership settings, so the test measures failover as shipped), and runs writers
// through its own IMessageStoreFactory.
// Arguments: silo index, silo port, gateway port, writers, messages per writer.
// Environment: BLOCKSTORE_POSTGRES (connection string) and BLOCKSTORE_POSTGRES_SCHEMA.
// Prints READY once the cluster has all three silos, then waits for a line (GO) on its standard input before its writers start;
// prints "A <dataSet> <seqId> <key>" per acknowledged message, DONE when its writers finish.
// With "routing" first, it measures instead the cost of routing writes through a silo (see RoutingBenchmark); with "scale",
// the aggregate throughput of one, two and three silo processes (see ScaleBenchmark).
if (args[0] == "routing")
{
    return await RoutingBenchmark.RunAsync(args);
}

if (args[0] is "scale" or "scale-silo")
{
    return await ScaleBenchmark.RunAsync(args);
}

int silo = int.Parse(args[0], CultureInfo.InvariantCulture);
int siloPort = int.Parse(args[1], CultureInfo.InvariantCulture);
int gatewayPort = int.Parse(args[2], CultureInfo.InvariantCulture);
int writers = int.Parse(args[3], CultureInfo.InvariantCulture);
int messages = int.Parse(args[4], CultureInfo.InvariantCulture);
const int Silos = 3;

using IHost host = await ClusterSilo.StartAsync(siloPort, gatewayPort, Silos, Durability.Normal);
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
        Message stored = await ClusterSilo.RetryAsync(() => store.AddMessageAsync(ClusterWorkload.ConvOf(i), 1, ClusterWorkload.DataOf(key), ClusterWorkload.UsersOf(key), key));
        output.WriteLine($"A {dataSet} {stored.SeqId} {key}");
    }
})));
output.WriteLine("DONE");
await Task.Delay(Timeout.InfiniteTimeSpan);
return 0;

