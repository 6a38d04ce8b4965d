using BlockStore.Providers;
using BlockStore.Providers.Sqlite;

namespace BlockStore.Tests;

/// <summary>A provider that only this test assembly defines, registered by name like a third-party package would register one.</summary>
public sealed class TestOnlyProviderFactory : IBlockStoreProviderFactory
{
    public const string ProviderName = "TestOnly";

    private static int s_opened;

    /// <summary>How many data sets providers of this factory have opened.</summary>
    public static int Opened => Volatile.Read(ref s_opened);

    public string Name => ProviderName;

    public IBlockStoreProvider Create(IServiceProvider services) => new Provider(new SqliteBlockStoreProvider(new SqliteBlockStoreOptions()));

    private sealed class Provider(IBlockStoreProvider inner) : IBlockStoreProvider
    {
        public string Name => ProviderName;

        public ValueTask<IBlockStoreSession> OpenAsync(BlockStoreOptions options, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref s_opened);
            return inner.OpenAsync(options, cancellationToken);
        }
    }
}
