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

    public void DamageBlock(string dataDir, StoreIndex location, int index, byte mask)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDir, "blockstore.db")};Pooling=False");
        connection.Open();
        using SqliteCommand read = connection.CreateCommand();
        read.CommandText = "SELECT data FROM block_data WHERE key = $key";
        read.Parameters.AddWithValue("$key", (location.StoreId << 40) | location.Offset);
        var data = (byte[])read.ExecuteScalar()!;
        data[index] ^= mask;
        using SqliteCommand write = connection.CreateCommand();
        write.CommandText = "UPDATE block_data SET data = $data WHERE key = $key";
        write.Parameters.AddWithValue("$key", (location.StoreId << 40) | location.Offset);
        write.Parameters.AddWithValue("$data", data);
        Assert.Equal(1, write.ExecuteNonQuery());
    }
}
