using BlockStore.Providers;
using BlockStore.Providers.File;
using BlockStore.Providers.Postgres;
using BlockStore.Providers.Sqlite;

namespace BlockStore.Benchmarks;

/// <summary>A BlockStore configuration under test: a name and the provider it runs on.</summary>
/// <param name="Name">The name printed in the report.</param>
/// <param name="CreateProvider">Creates a fresh provider for each open of the data set named by its directory.</param>
internal sealed record BlockStoreTarget(string Name, Func<string, IBlockStoreProvider> CreateProvider)
{
    /// <summary>Every provider the macro benchmark compares with the baseline, one line each.</summary>
    public static IReadOnlyList<BlockStoreTarget> All { get; } =
    [
        new("BlockStore/Sqlite", static _ => new SqliteBlockStoreProvider(new SqliteBlockStoreOptions())),
        new("BlockStore/File", static _ => new FileBlockStoreProvider(new FileBlockStoreOptions())),
    ];

    /// <summary>BlockStore on PostgreSQL, each data set in a schema named by <paramref name="schemaOf"/> from its directory.</summary>
    public static BlockStoreTarget Postgres(string connectionString, Func<string, string> schemaOf) =>
        new("BlockStore/Postgres", dir => new PostgresBlockStoreProvider(new PostgresBlockStoreOptions { ConnectionString = connectionString, Schema = schemaOf(dir) }));

    /// <summary>Opens a store in <paramref name="dataDir"/> with the default options except the durability; its provider calls are timed.</summary>
    public async Task<IChatStore> OpenAsync(string dataDir, Durability durability)
    {
        var options = new BlockStoreOptions { DataDir = dataDir, Durability = durability };
        var provider = new TimedProvider(CreateProvider(dataDir));
        return new Adapter(await MessageStore.OpenAsync(options, provider), provider.Timings);
    }

    /// <summary>Drives an open <see cref="MessageStore"/> through the public API only.</summary>
    private sealed class Adapter(MessageStore store, ProviderTimings timings) : IChatStore
    {
        public ProviderTimings? Timings => timings;

        public Task AddBatchAsync(IReadOnlyList<NewMessage> batch) => store.AddMessagesAsync(batch);

        public Task FlushAsync() => store.FlushAsync();

        public Task AddAsync(NewMessage message) => store.AddMessageAsync(message.ConvId, message.SenderId, message.Data, message.UserIds);

        public Task<IReadOnlyList<Message>> LatestAsync(string convId, int limit) => store.GetConvMessagesAsync(convId, limit);

        public Task<IReadOnlyList<Message>> UserNextAsync(string userId, long afterSeqId, int limit) => store.GetUserMessagesAsync(userId, afterSeqId, limit);

        public ValueTask DisposeAsync() => store.DisposeAsync();
    }
}
