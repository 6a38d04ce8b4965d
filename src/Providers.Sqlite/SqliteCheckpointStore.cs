using Dapper;
using Microsoft.Data.Sqlite;

namespace BlockStore.Providers.Sqlite;

/// <summary>Checkpoints in the <c>checkpoints</c> table; a save never lowers a stored value.</summary>
internal sealed class SqliteCheckpointStore(SqliteDatabase db) : ICheckpointStore
{
    public ValueTask<long> GetAsync(string userId, CancellationToken cancellationToken = default)
    {
        SqliteReader reader = db.RentReader();
        try
        {
            return ValueTask.FromResult(reader.ForUser(userId).ExecuteScalar() is long seq ? seq : 0);
        }
        finally
        {
            db.ReturnReader(reader);
        }
    }

    public ValueTask SaveAsync(IReadOnlyList<KeyValuePair<string, long>> checkpoints, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        lock (db.WriteLock)
        {
            using SqliteTransaction transaction = db.Writer.BeginTransaction();
            db.Writer.Execute(SqlQueries.SaveCheckpoint, checkpoints, transaction);
            transaction.Commit();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DeleteAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        lock (db.WriteLock)
        {
            db.Writer.Execute(SqlQueries.DeleteCheckpoint, new { user = userId });
        }

        return ValueTask.CompletedTask;
    }
}
