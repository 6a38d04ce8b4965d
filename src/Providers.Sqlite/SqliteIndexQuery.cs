using Microsoft.Data.Sqlite;

namespace BlockStore.Providers.Sqlite;

/// <summary>One prepared lookup of the timeline index on a pooled read connection, with its parameters bound by name.</summary>
internal sealed class SqliteIndexQuery : IDisposable
{
    private readonly SqliteCommand _command;
    private readonly SqliteParameter _kind;
    private readonly SqliteParameter _id;
    private readonly Dictionary<string, SqliteParameter> _bounds = new(StringComparer.Ordinal);

    public SqliteIndexQuery(SqliteConnection connection, string sql, params string[] bounds)
    {
        _command = connection.CreateCommand();
        _command.CommandText = sql;
        _kind = _command.Parameters.Add("@kind", SqliteType.Integer);
        _id = _command.Parameters.Add("@id", SqliteType.Text);
        foreach (string bound in bounds)
        {
            _bounds[bound] = _command.Parameters.Add(bound, SqliteType.Integer);
        }
    }

    /// <summary>Binds the timeline and returns the command; set the other parameters with <see cref="Set"/> before executing.</summary>
    public SqliteCommand For(TimelineKey key, SqliteTransaction? transaction)
    {
        _kind.Value = (long)key.Kind;
        _id.Value = key.Id;
        _command.Transaction = transaction;
        return _command;
    }

    public void Set(string name, long value) => _bounds[name].Value = value;

    public void Dispose() => _command.Dispose();
}
