using BlockStore.Orleans.Clustering;
using BlockStore.Providers.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Orleans.Hosting;

/// <summary>Cluster membership for BlockStore silos and clients through Orleans' ADO.NET clustering on PostgreSQL.</summary>
public static class BlockStoreClusteringExtensions
{
    /// <summary>
    /// Keeps the cluster's membership in PostgreSQL (Orleans' ADO.NET clustering): silos find each other and clients find
    /// gateways through tables in <paramref name="schema"/>, which the silo creates when it starts if they are missing.
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="connectionString">The Npgsql connection string of the database, typically the one holding the data sets.</param>
    /// <param name="schema">The schema of the membership tables, a lower-case identifier, typically the data sets' schema.</param>
    /// <returns>The silo builder.</returns>
    public static ISiloBuilder UseBlockStorePostgresClustering(this ISiloBuilder builder, string connectionString, string schema)
    {
        ArgumentNullException.ThrowIfNull(builder);
        string clustering = ClusteringConnectionString(connectionString, schema);
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp =>
            new PostgresClusteringSchema(clustering, schema, sp.GetRequiredService<ILogger<PostgresClusteringSchema>>()));
        return builder.UseAdoNetClustering(o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = clustering;
        });
    }

    /// <summary>
    /// Finds the cluster's gateways in the PostgreSQL membership tables the silos keep with
    /// <see cref="UseBlockStorePostgresClustering(ISiloBuilder, string, string)"/> (a silo must have started once to create them).
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="connectionString">The Npgsql connection string the silos use for their membership.</param>
    /// <param name="schema">The schema the silos keep their membership in.</param>
    /// <returns>The client builder.</returns>
    public static IClientBuilder UseBlockStorePostgresClustering(this IClientBuilder builder, string connectionString, string schema)
    {
        ArgumentNullException.ThrowIfNull(builder);
        string clustering = ClusteringConnectionString(connectionString, schema);
        return builder.UseAdoNetClustering(o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = clustering;
        });
    }

    private static string ClusteringConnectionString(string connectionString, string schema)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        if (schema is null || !PostgresBlockStoreOptionsValidator.SchemaName().IsMatch(schema))
        {
            throw new ArgumentException($"The schema must be a lower-case identifier of 1 to 63 letters, digits and underscores (was '{schema}').", nameof(schema));
        }

        return PostgresClusteringSchema.ConnectionString(connectionString, schema);
    }
}
