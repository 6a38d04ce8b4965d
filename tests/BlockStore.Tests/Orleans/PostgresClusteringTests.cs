using BlockStore.Orleans.Clustering;
using BlockStore.Tests.Providers.Postgres;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Hosting;

namespace BlockStore.Tests.Orleans;

/// <summary>The membership tables in PostgreSQL: their set-up, and the arguments it refuses. Joining, declaring a silo dead and moving its data sets are covered by <see cref="ClusterFailoverTests"/>.</summary>
public sealed class PostgresClusteringTests
{
    /// <summary>Every named query Orleans' ADO.NET clustering provider reads before it starts.</summary>
    private static readonly string[] QueryKeys =
    [
        "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey", "DeleteMembershipTableEntriesKey", "GatewaysQueryKey",
        "InsertMembershipKey", "InsertMembershipVersionKey", "MembershipReadAllKey", "MembershipReadRowKey",
        "UpdateIAmAlivetimeKey", "UpdateMembershipKey",
    ];

    [SkippableFact]
    public async Task Silos_starting_together_create_the_tables_once_and_every_named_query()
    {
        await using var postgres = new PostgresFixture();
        Skip.If(postgres.SkipReason is not null, postgres.SkipReason);
        postgres.Options();
        string connectionString = PostgresClusteringSchema.ConnectionString(PostgresFixture.ConnectionString!, postgres.Schema);
        PostgresClusteringSchema[] silos = [.. Enumerable.Range(0, 3).Select(_ => new PostgresClusteringSchema(connectionString, postgres.Schema, NullLogger<PostgresClusteringSchema>.Instance))];

        await Task.WhenAll(silos.Select(s => s.ApplyAsync(CancellationToken.None)));
        await silos[0].ApplyAsync(CancellationToken.None);

        Assert.Equal(QueryKeys, postgres.Scalar<string[]>($"SELECT array_agg(querykey ORDER BY querykey) FROM {postgres.Schema}.orleansquery"));
        Assert.Equal(0, postgres.Scalar<int>($"SELECT count(*)::integer FROM {postgres.Schema}.cluster_membership"));
    }

    [Theory]
    [InlineData("", "blockstore", "connectionString")]
    [InlineData(" ", "blockstore", "connectionString")]
    [InlineData("Host=localhost", "", "schema")]
    [InlineData("Host=localhost", "Blockstore", "schema")]
    [InlineData("Host=localhost", "a; DROP TABLE x", "schema")]
    public void Clustering_refuses_a_missing_connection_string_or_a_schema_that_is_not_a_plain_identifier(string connectionString, string schema, string parameter)
    {
        Exception? silo = null;
        Exception? client = null;
        Host.CreateApplicationBuilder().UseOrleans(b => silo = Record.Exception(() => b.UseBlockStorePostgresClustering(connectionString, schema)));
        Host.CreateApplicationBuilder().UseOrleansClient(b => client = Record.Exception(() => b.UseBlockStorePostgresClustering(connectionString, schema)));

        Assert.Equal(parameter, Assert.IsAssignableFrom<ArgumentException>(silo).ParamName);
        Assert.Equal(parameter, Assert.IsAssignableFrom<ArgumentException>(client).ParamName);
    }
}
