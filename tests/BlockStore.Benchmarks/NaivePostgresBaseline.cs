using Npgsql;

namespace BlockStore.Benchmarks;

/// <summary>
/// The PostgreSQL store a user would write by hand: one <c>messages</c> row per message and one <c>inbox</c> row per
/// recipient, SeqIds from a sequence, a pooled connection per call (so concurrent callers run in parallel, as they would
/// in an app) and each call one round trip: a batch of plain inserts in one implicit transaction.
/// </summary>
/// <remarks>Full durability is PostgreSQL's default (<c>synchronous_commit = on</c>); Normal turns it off, as the provider does.</remarks>
internal sealed class NaivePostgresBaseline : IChatStore
{
    public const string Name = "Naive PostgreSQL";

    private readonly NpgsqlDataSource _source;
    private readonly string _insertMessage;
    private readonly string _insertInbox;
    private readonly string _latest;
    private readonly string _userNext;

    private NaivePostgresBaseline(NpgsqlDataSource source, string schema)
    {
        _source = source;
        _insertMessage = $"INSERT INTO {schema}.messages (conv_id, seq, sender, ts, data) VALUES ($1, nextval('{schema}.seq'), $2, $3, $4)";
        _insertInbox = $"INSERT INTO {schema}.inbox (user_id, seq, conv_id) VALUES ($1, currval('{schema}.seq'), $2)";
        _latest = $"SELECT seq, sender, ts, data FROM {schema}.messages WHERE conv_id = $1 ORDER BY seq DESC LIMIT $2";
        _userNext = $"""
            SELECT m.seq, m.conv_id, m.sender, m.ts, m.data
            FROM {schema}.inbox i JOIN {schema}.messages m ON m.conv_id = i.conv_id AND m.seq = i.seq
            WHERE i.user_id = $1 AND i.seq > $2 ORDER BY i.seq LIMIT $3
            """;
    }

    public ProviderTimings? Timings => null;

    /// <summary>Creates the schema <paramref name="schema"/> with its tables when missing and opens the store on it.</summary>
    public static async Task<IChatStore> OpenAsync(string connectionString, string schema, Durability durability)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (durability != Durability.Full)
        {
            builder.ConnectionStringBuilder.Options = "-c synchronous_commit=off";
        }

        NpgsqlDataSource source = builder.Build();
        await using NpgsqlCommand create = source.CreateCommand($"""
            CREATE SCHEMA IF NOT EXISTS {schema};
            CREATE SEQUENCE IF NOT EXISTS {schema}.seq;
            CREATE TABLE IF NOT EXISTS {schema}.messages (
                conv_id text, seq bigint, sender bigint, ts bigint, data bytea, PRIMARY KEY (conv_id, seq));
            CREATE TABLE IF NOT EXISTS {schema}.inbox (
                user_id text, seq bigint, conv_id text, PRIMARY KEY (user_id, seq));
            """);
        await create.ExecuteNonQueryAsync();
        return new NaivePostgresBaseline(source, schema);
    }

    public async Task AddBatchAsync(IReadOnlyList<NewMessage> batch)
    {
        await using NpgsqlConnection connection = await _source.OpenConnectionAsync();
        await using var commands = new NpgsqlBatch(connection);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (NewMessage message in batch)
        {
            Add(commands, message, now);
        }

        await commands.ExecuteNonQueryAsync();
    }

    public async Task AddAsync(NewMessage message)
    {
        await using NpgsqlConnection connection = await _source.OpenConnectionAsync();
        await using var commands = new NpgsqlBatch(connection);
        Add(commands, message, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await commands.ExecuteNonQueryAsync();
    }

    public async Task<IReadOnlyList<Message>> LatestAsync(string convId, int limit)
    {
        await using NpgsqlCommand command = _source.CreateCommand(_latest);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = convId });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var page = new List<Message>(limit);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            page.Add(new Message(reader.GetInt64(0), convId, (uint)reader.GetInt64(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), (byte[])reader.GetValue(3)));
        }

        page.Reverse();
        return page;
    }

    public async Task<IReadOnlyList<Message>> UserNextAsync(string userId, long afterSeqId, int limit)
    {
        await using NpgsqlCommand command = _source.CreateCommand(_userNext);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = userId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterSeqId });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var page = new List<Message>(limit);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            page.Add(new Message(reader.GetInt64(0), reader.GetString(1), (uint)reader.GetInt64(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), (byte[])reader.GetValue(4)));
        }

        return page;
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();

    private void Add(NpgsqlBatch commands, NewMessage message, long now)
    {
        var insert = new NpgsqlBatchCommand(_insertMessage);
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = message.ConvId });
        insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = message.SenderId });
        insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = now });
        insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = message.Data.ToArray() });
        commands.BatchCommands.Add(insert);
        foreach (string userId in message.UserIds)
        {
            var inbox = new NpgsqlBatchCommand(_insertInbox);
            inbox.Parameters.Add(new NpgsqlParameter<string> { TypedValue = userId });
            inbox.Parameters.Add(new NpgsqlParameter<string> { TypedValue = message.ConvId });
            commands.BatchCommands.Add(inbox);
        }
    }
}
