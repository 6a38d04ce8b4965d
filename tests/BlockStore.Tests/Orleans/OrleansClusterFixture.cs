using BlockStore.Tests.Providers.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace BlockStore.Tests.Orleans;

/// <summary>
/// An in-process Orleans cluster of two silos hosting data sets on PostgreSQL (a schema of its own, dropped afterwards), shared
/// by the tests of <see cref="OrleansClusterCollection"/>. Without <c>BLOCKSTORE_POSTGRES</c> it starts nothing and the tests skip.
/// </summary>
public sealed class OrleansClusterFixture : IAsyncLifetime
{
    private const string SchemaKey = "BlockStoreTests:Schema";
    private const string ConnectionKey = "BlockStoreTests:ConnectionString";

    /// <summary>The schema the silos keep data sets in.</summary>
    public string Schema { get; } = "o_" + Guid.NewGuid().ToString("N");

    /// <summary>The running cluster; null when PostgreSQL is not configured.</summary>
    public TestCluster? Cluster { get; private set; }

    public async Task InitializeAsync()
    {
        if (PostgresFixture.ConnectionString is not { } connectionString)
        {
            return;
        }

        var builder = new TestClusterBuilder(2);
        builder.Properties[SchemaKey] = Schema;
        builder.Properties[ConnectionKey] = connectionString;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (Cluster is null)
        {
            return;
        }

        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(PostgresFixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddBlockStore(b => b
            .UsePostgres(o =>
            {
                o.ConnectionString = siloBuilder.Configuration[ConnectionKey];
                o.Schema = siloBuilder.Configuration[SchemaKey]!;
            })
            .Configure(o => o.Durability = Durability.Normal));
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) => clientBuilder.AddBlockStore();
    }
}

/// <summary>The tests that share one <see cref="OrleansClusterFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class OrleansClusterCollection : ICollectionFixture<OrleansClusterFixture>
{
    public const string Name = "Orleans cluster";
}
