using System.Globalization;
using BlockStore;
using BlockStore.CrashChild;

// The child process of the crash tests: writes until it is killed, printing every acknowledgement.
// Usage: BlockStore.CrashChild <provider> <durability> <dataDir> <round> <writers>
string provider = args[0];
var durability = Enum.Parse<Durability>(args[1]);
string dataDir = args[2];
int round = int.Parse(args[3], CultureInfo.InvariantCulture);
int writers = int.Parse(args[4], CultureInfo.InvariantCulture);

await using MessageStore store = await MessageStore.OpenAsync(CrashWorkload.Options(dataDir, durability), CrashWorkload.Provider(provider));
Console.WriteLine("READY");
await Task.WhenAll([
    .. Enumerable.Range(0, writers).Select(w => Task.Run(() => CrashWorkload.WriteForeverAsync(store, round, w, Console.Out))),
    Task.Run(() => CrashWorkload.CompactForeverAsync(store)),
]);
