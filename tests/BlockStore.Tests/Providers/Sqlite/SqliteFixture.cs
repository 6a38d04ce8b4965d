using BlockStore.Providers;
using BlockStore.Providers.Sqlite;
using BlockStore.Tests.Contract;
using Microsoft.Data.Sqlite;

namespace BlockStore.Tests.Providers.Sqlite;

/// <summary>Runs the contract suite on the SQLite provider.</summary>
public sealed class SqliteFixture : IProviderFixture
{
    public string Name => "Sqlite";

    public IBlockStoreProvider CreateProvider() => new SqliteBlockStoreProvider(new SqliteBlockStoreOptions());

    /// <summary>The database file of a data set in <paramref name="dataDir"/> opened with default settings.</summary>
    public static string DatabasePath(string dataDir) => Path.Combine(dataDir, new SqliteBlockStoreOptions().FileName);

    public void DamageBlock(string dataDir, StoreIndex location, int index, byte mask)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath(dataDir)};Pooling=False");
        connection.Open();
        long key = SqlQueries.BlockKey(location.StoreId, location.Offset);
        using var blob = new SqliteBlob(connection, SqlQueries.BlockDataTable, SqlQueries.BlockDataColumn, key);
        blob.Position = index;
        int original = blob.ReadByte();
        blob.Position = index;
        blob.WriteByte((byte)(original ^ mask));
    }
}
