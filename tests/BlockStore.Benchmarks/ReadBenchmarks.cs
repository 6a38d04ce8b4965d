using BenchmarkDotNet.Attributes;
using BlockStore.Providers.Sqlite;

namespace BlockStore.Benchmarks;

/// <summary>
/// The latest-20 page of a conversation whose blocks are all sealed (the store was closed and reopened), on the SQLite
/// provider: hot, with every block in the default cache; cold, with <c>CacheSizeBytes = 0</c> so each read loads and
/// decodes its block again.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 2, iterationCount: 5)]
public class ReadBenchmarks
{
    private const int Messages = 20_000;
    private const int PageSize = 20;
    private const int QueryMask = 255;

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"blockstore-read-{Guid.NewGuid():N}");
    private MessageStore _hot = null!;
    private MessageStore _cold = null!;
    private string[] _convIds = [];
    private int _next;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var random = new Random(Workload.Seed);
        string[] convIds = new Workload(MacroSettings.Conversations, MacroSettings.Users).ConvIds;
        _convIds = [.. Enumerable.Range(0, QueryMask + 1).Select(_ => convIds[random.Next(convIds.Length)])];
        _hot = await BuildAndReopenAsync(Path.Combine(_root, "hot"), cacheSizeBytes: new BlockStoreOptions().CacheSizeBytes);
        _cold = await BuildAndReopenAsync(Path.Combine(_root, "cold"), cacheSizeBytes: 0);
        foreach (string convId in _convIds)
        {
            await _hot.GetConvMessagesAsync(convId, PageSize);
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _hot.DisposeAsync();
        await _cold.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark]
    public Task<IReadOnlyList<Message>> LatestPageHot() => _hot.GetConvMessagesAsync(_convIds[_next++ & QueryMask], PageSize);

    [Benchmark]
    public Task<IReadOnlyList<Message>> LatestPageCold() => _cold.GetConvMessagesAsync(_convIds[_next++ & QueryMask], PageSize);

    /// <summary>Writes the fixed workload, closes the store (which seals every block), and reopens it with the given cache.</summary>
    private static async Task<MessageStore> BuildAndReopenAsync(string dataDir, long cacheSizeBytes)
    {
        var workload = new Workload(MacroSettings.Conversations, MacroSettings.Users);
        var options = new BlockStoreOptions { DataDir = dataDir, Durability = Durability.Normal };
        await using (MessageStore store = await MessageStore.OpenAsync(options, new SqliteBlockStoreProvider(new SqliteBlockStoreOptions())))
        {
            for (int done = 0; done < Messages; done += MacroSettings.BatchSize)
            {
                await store.AddMessagesAsync(workload.Next(MacroSettings.BatchSize));
            }
        }

        options.CacheSizeBytes = cacheSizeBytes;
        return await MessageStore.OpenAsync(options, new SqliteBlockStoreProvider(new SqliteBlockStoreOptions()));
    }
}
