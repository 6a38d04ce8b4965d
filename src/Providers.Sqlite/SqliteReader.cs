using Microsoft.Data.Sqlite;

namespace BlockStore.Providers.Sqlite;

/// <summary>A pooled read-only connection with the hot-path read commands prepared once.</summary>
internal sealed class SqliteReader : IDisposable
{
    private readonly SqliteParameter _blockKey;
    private readonly SqliteParameter _checkpointUser;

    public SqliteReader(SqliteConnection connection)
    {
        Connection = connection;
        ReadBlock = connection.CreateCommand();
        ReadBlock.CommandText = SqlQueries.ReadBlockData;
        _blockKey = ReadBlock.Parameters.Add("@key", SqliteType.Integer);
        GetCheckpoint = connection.CreateCommand();
        GetCheckpoint.CommandText = SqlQueries.GetCheckpoint;
        _checkpointUser = GetCheckpoint.Parameters.Add("@user", SqliteType.Text);
    }

    public SqliteConnection Connection { get; }

    /// <summary>Reads one block's bytes; bind the key with <see cref="ForBlock"/>.</summary>
    public SqliteCommand ReadBlock { get; }

    /// <summary>Reads one user's checkpoint; bind the user with <see cref="ForUser"/>.</summary>
    public SqliteCommand GetCheckpoint { get; }

    public SqliteCommand ForBlock(StoreIndex location)
    {
        _blockKey.Value = SqlQueries.BlockKey(location.StoreId, location.Offset);
        return ReadBlock;
    }

    public SqliteCommand ForUser(string userId)
    {
        _checkpointUser.Value = userId;
        return GetCheckpoint;
    }

    public void Dispose()
    {
        ReadBlock.Dispose();
        GetCheckpoint.Dispose();
        Connection.Dispose();
    }
}
