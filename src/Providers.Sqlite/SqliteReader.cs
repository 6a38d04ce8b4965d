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
        GetTimeline = new SqliteIndexQuery(connection, SqlQueries.GetTimeline);
        BlocksBefore = new SqliteIndexQuery(connection, SqlQueries.BlocksBefore, "@before", "@limit");
        BlocksAfter = new SqliteIndexQuery(connection, SqlQueries.BlocksAfter, "@after", "@before", "@limit");
        BlocksByTime = new SqliteIndexQuery(connection, SqlQueries.BlocksByTime, "@from", "@to", "@after", "@before", "@limit");
    }

    public SqliteConnection Connection { get; }

    /// <summary>Reads one block's bytes; bind the key with <see cref="ForBlock"/>.</summary>
    public SqliteCommand ReadBlock { get; }

    /// <summary>Reads one user's checkpoint; bind the user with <see cref="ForUser"/>.</summary>
    public SqliteCommand GetCheckpoint { get; }

    /// <summary>Reads one timeline's totals.</summary>
    public SqliteIndexQuery GetTimeline { get; }

    /// <summary>The newest blocks of a timeline starting below a SeqId.</summary>
    public SqliteIndexQuery BlocksBefore { get; }

    /// <summary>The oldest blocks of a timeline ending above a SeqId.</summary>
    public SqliteIndexQuery BlocksAfter { get; }

    /// <summary>The oldest blocks of a timeline overlapping a time window.</summary>
    public SqliteIndexQuery BlocksByTime { get; }

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
        GetTimeline.Dispose();
        BlocksBefore.Dispose();
        BlocksAfter.Dispose();
        BlocksByTime.Dispose();
        Connection.Dispose();
    }
}
