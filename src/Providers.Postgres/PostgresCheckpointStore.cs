using Npgsql;
using NpgsqlTypes;

namespace BlockStore.Providers.Postgres;

/// <summary>Checkpoints in the <c>checkpoints</c> table; a save never lowers a stored value and is fenced like every write.</summary>
internal sealed class PostgresCheckpointStore(PostgresDatabase db) : ICheckpointStore
{
    public async ValueTask<long> GetAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using NpgsqlConnection c = await db.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(db.Queries.GetCheckpoint, c);
        command.Parameters.Add(new NpgsqlParameter<string>("dataSet", NpgsqlDbType.Text) { TypedValue = db.DataSet });
        command.Parameters.Add(new NpgsqlParameter<string>("userId", NpgsqlDbType.Text) { TypedValue = userId });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long seq ? seq : 0;
    }

    public ValueTask SaveAsync(IReadOnlyList<KeyValuePair<string, long>> checkpoints, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        string[] users = [.. checkpoints.Select(static c => c.Key)];
        long[] seqs = [.. checkpoints.Select(static c => c.Value)];
        return db.WriteAsync(
            batch =>
            {
                NpgsqlBatchCommand save = db.Add(batch, db.Queries.SaveCheckpoints);
                save.Parameters.Add(new NpgsqlParameter<string[]>("users", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = users });
                save.Parameters.Add(new NpgsqlParameter<long[]>("seqs", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = seqs });
            },
            relaxed: false,
            cancellationToken);
    }

    public ValueTask DeleteAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        return db.WriteAsync(
            batch => db.Add(batch, db.Queries.DeleteCheckpoint).Parameters.Add(new NpgsqlParameter<string>("userId", NpgsqlDbType.Text) { TypedValue = userId }),
            relaxed: false,
            cancellationToken);
    }
}
