using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans;
using Orleans.Runtime;

namespace BlockStore.Orleans.Clustering;

/// <summary>
/// The tables and named queries Orleans' ADO.NET clustering needs on PostgreSQL (the embedded <c>PostgresClustering.sql</c>),
/// created in one schema when a silo starts, before the silo joins the cluster.
/// </summary>
/// <param name="connectionString">The connection string of the clustering provider: the database, with the schema as its search path.</param>
/// <param name="schema">The schema, already validated as a plain lower-case identifier.</param>
/// <param name="logger">Where the creation is logged.</param>
internal sealed class PostgresClusteringSchema(string connectionString, string schema, ILogger<PostgresClusteringSchema> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly Lazy<string> Script = new(ReadScript);

    /// <summary>
    /// The clustering provider's connection string for <paramref name="schema"/>: its tables are found through the search path,
    /// and the session time zone is UTC, since the provider may bind its UTC times as timestamps without a time zone.
    /// </summary>
    public static string ConnectionString(string connectionString, string schema) =>
        new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema, Timezone = "UTC" }.ConnectionString;

    public void Participate(ISiloLifecycle lifecycle) => lifecycle.Subscribe(nameof(PostgresClusteringSchema), ServiceLifecycleStage.First, ApplyAsync);

    /// <summary>Creates what is missing, in one transaction that instances starting at once take turns at (an advisory lock).</summary>
    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('orleans clustering ' || @schema))", connection, transaction))
        {
            command.Parameters.AddWithValue("schema", schema);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var command = new NpgsqlCommand($"CREATE SCHEMA IF NOT EXISTS {schema};\n{Script.Value}", connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        Log.ClusteringSchemaReady(logger, schema);
    }

    private static string ReadScript()
    {
        using Stream stream = typeof(PostgresClusteringSchema).Assembly.GetManifestResourceStream("BlockStore.Orleans.Clustering.PostgresClustering.sql")
            ?? throw new InvalidOperationException("The clustering script is missing from BlockStore.Orleans.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
