using BenchmarkDotNet.Attributes;
using BlockStore.Providers.Sqlite;

namespace BlockStore.Benchmarks;

/// <summary>
/// One <see cref="IMessageStore.AddMessagesAsync"/> of 100 messages (about 3 recipients each) on the SQLite provider with
/// <see cref="Durability.Normal"/>; figures are per message (OperationsPerInvoke), writer thread included.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 2, iterationCount: 5)]
public class AppendBenchmarks
{
    private const int BatchSize = 100;

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"blockstore-append-{Guid.NewGuid():N}");
    private MessageStore _store = null!;
    private NewMessage[] _batch = [];

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _batch = new Workload(MacroSettings.Conversations, MacroSettings.Users).Next(BatchSize);
        var options = new BlockStoreOptions { DataDir = _dataDir, Durability = Durability.Normal };
        _store = await MessageStore.OpenAsync(options, new SqliteBlockStoreProvider(new SqliteBlockStoreOptions()));
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public Task<IReadOnlyList<Message>> AddBatchOf100() => _store.AddMessagesAsync(_batch);
}
