using Microsoft.Extensions.DependencyInjection;
using BlockStore.Providers;
using BlockStore.Providers.Sqlite;
using BlockStore.Tests.Contract;

namespace BlockStore.Tests.Providers;

/// <summary>Runs the contract suite on the SQLite provider.</summary>
public sealed class SqliteFixture : IProviderFixture
{
    public string Name => "Sqlite";

    public IBlockStoreProvider CreateProvider() => new SqliteBlockStoreProvider(new SqliteBlockStoreOptions());

    public void Use(IBlockStoreBuilder builder) => builder.UseSqlite();
}
