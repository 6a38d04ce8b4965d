using BlockStore.Providers;
using BlockStore.Providers.Postgres;
using BlockStore.Tests.Contract;
using Npgsql;

namespace BlockStore.Tests.Providers.Postgres;

/// <summary>
/// Runs the contract suite on PostgreSQL, in a schema of its own that is dropped afterwards. The database comes from the
/// <c>BLOCKSTORE_POSTGRES</c> connection string; without it every test is reported as skipped, saying why.
/// </summary>
public sealed class PostgresFixture : IProviderFixture, IAsyncDisposable
{
    /// <summary>The environment variable holding the connection string of the test database.</summary>
    public const string Variable = "BLOCKSTORE_POSTGRES";

    /// <summary>The environment variable that hands the schema to the crash tests' child process.</summary>
    public const string SchemaVariable = "BLOCKSTORE_POSTGRES_SCHEMA";

    private bool _used;

    /// <summary>The connection string of the test database, or null when none is configured.</summary>
    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    /// <summary>This fixture's schema: fresh for each test.</summary>
    public string Schema { get; } = "t_" + Guid.NewGuid().ToString("N");

    public string Name => "Postgres";

    public string? SkipReason => ConnectionString is null ? $"PostgreSQL is not configured: set {Variable} to a connection string to run these tests" : null;

    public bool UsesDataDir => false;

    public IReadOnlyDictionary<string, string> ChildEnvironment => new Dictionary<string, string> { [Variable] = ConnectionString ?? "", [SchemaVariable] = Schema };

    /// <summary>The provider settings for this fixture's schema.</summary>
    public PostgresBlockStoreOptions Options(Action<PostgresBlockStoreOptions>? configure = null)
    {
        _used = true;
        var options = new PostgresBlockStoreOptions { ConnectionString = ConnectionString, Schema = Schema };
        configure?.Invoke(options);
        return options;
    }

    public IBlockStoreProvider CreateProvider() => new PostgresBlockStoreProvider(Options());

    public void DamageBlock(string dataDir, StoreIndex location, int index, byte mask) => Execute(
        $"UPDATE {Schema}.block_data SET data = set_byte(data, @index, get_byte(data, @index) # @mask) " +
        "WHERE data_set = 'default' AND store_id = @store AND store_offset = @offset",
        ("index", index), ("mask", (int)mask), ("store", location.StoreId), ("offset", location.Offset));

    /// <summary>PostgreSQL's files belong to the server, so the rows are searched: every bytea column this data set's tables hold.</summary>
    public bool StoredBytesContain(string dataDir, byte[] marker)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        foreach (string table in new[] { "block_data", "journal" })
        {
            using var command = new NpgsqlCommand($"SELECT count(*) FROM {Schema}.{table} WHERE position(@marker in data) > 0", connection);
            command.Parameters.AddWithValue("marker", marker);
            if ((long)command.ExecuteScalar()! > 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Runs one statement on the test database, behind the provider's back.</summary>
    public int Execute(string sql, params (string Name, object Value)[] parameters) => Run(sql, parameters, static c => c.ExecuteNonQuery());

    /// <summary>Runs one query on the test database and returns the first column of its first row.</summary>
    public T Scalar<T>(string sql, params (string Name, object Value)[] parameters) => Run(sql, parameters, static c => (T)c.ExecuteScalar()!);

    private static T Run<T>(string sql, (string Name, object Value)[] parameters, Func<NpgsqlCommand, T> run)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        foreach ((string name, object value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return run(command);
    }

    /// <summary>The lines of PostgreSQL's plan for <paramref name="sql"/> with <paramref name="parameters"/> bound (EXPLAIN plans without running it).</summary>
    public static async Task<List<string>> ExplainAsync(string sql, params NpgsqlParameter[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("EXPLAIN " + sql, connection);
        command.Parameters.AddRange(parameters);
        var plan = new List<string>();
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(0));
        }

        return plan;
    }

    public async ValueTask DisposeAsync()
    {
        if (_used && ConnectionString is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE", connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
