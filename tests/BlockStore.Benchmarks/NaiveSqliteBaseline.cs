using Microsoft.Data.Sqlite;

namespace BlockStore.Benchmarks;

/// <summary>
/// The store a user would write by hand: one SQLite database in WAL mode, one <c>messages</c> row per message and one
/// <c>inbox</c> row per recipient, prepared commands on one connection, calls serialised by a lock.
/// </summary>
/// <remarks>It gets the SQLite provider's page cache (16 MiB), so the comparison is about the schema, not cache tuning.</remarks>
internal sealed class NaiveSqliteBaseline : IChatStore
{
    public const string Name = "Naive SQLite";

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS messages (
            conv_id TEXT, seq INTEGER, sender INTEGER, ts INTEGER, data BLOB,
            PRIMARY KEY (conv_id, seq)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS inbox (
            user_id TEXT, seq INTEGER, conv_id TEXT,
            PRIMARY KEY (user_id, seq)) WITHOUT ROWID;
        """;

    private readonly Lock _lock = new();
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insertMessage;
    private readonly SqliteCommand _insertInbox;
    private readonly SqliteCommand _latest;
    private readonly SqliteCommand _userNext;
    private long _nextSeq;

    private NaiveSqliteBaseline(string dataDir, Durability durability)
    {
        Directory.CreateDirectory(dataDir);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDir, "naive.db"),
            Pooling = false,
        }.ToString());
        _connection.Open();
        Execute($"PRAGMA journal_mode=WAL; PRAGMA synchronous={(durability == Durability.Full ? "FULL" : "NORMAL")}; PRAGMA cache_size=-16384;");
        Execute(Schema);
        using (SqliteCommand max = _connection.CreateCommand())
        {
            max.CommandText = "SELECT coalesce(max(seq), 0) FROM messages";
            _nextSeq = (long)max.ExecuteScalar()! + 1;
        }

        _insertMessage = Prepare("INSERT INTO messages (conv_id, seq, sender, ts, data) VALUES ($c, $s, $sender, $ts, $data)", "$c", "$s", "$sender", "$ts", "$data");
        _insertInbox = Prepare("INSERT INTO inbox (user_id, seq, conv_id) VALUES ($u, $s, $c)", "$u", "$s", "$c");
        _latest = Prepare("SELECT seq, sender, ts, data FROM messages WHERE conv_id = $c ORDER BY seq DESC LIMIT $n", "$c", "$n");
        _userNext = Prepare(
            """
            SELECT m.seq, m.conv_id, m.sender, m.ts, m.data
            FROM inbox i JOIN messages m ON m.conv_id = i.conv_id AND m.seq = i.seq
            WHERE i.user_id = $u AND i.seq > $after ORDER BY i.seq LIMIT $n
            """,
            "$u", "$after", "$n");
    }

    public static Task<IChatStore> OpenAsync(string dataDir, Durability durability) =>
        Task.FromResult<IChatStore>(new NaiveSqliteBaseline(dataDir, durability));

    public ProviderTimings? Timings => null;

    public Task AddBatchAsync(IReadOnlyList<NewMessage> batch)
    {
        lock (_lock)
        {
            using SqliteTransaction transaction = _connection.BeginTransaction();
            _insertMessage.Transaction = transaction;
            _insertInbox.Transaction = transaction;
            foreach (NewMessage message in batch)
            {
                Insert(message);
            }

            transaction.Commit();
        }

        return Task.CompletedTask;
    }

    public Task AddAsync(NewMessage message)
    {
        lock (_lock)
        {
            using SqliteTransaction transaction = _connection.BeginTransaction();
            _insertMessage.Transaction = transaction;
            _insertInbox.Transaction = transaction;
            Insert(message);
            transaction.Commit();
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Message>> LatestAsync(string convId, int limit)
    {
        var page = new List<Message>(limit);
        lock (_lock)
        {
            _latest.Transaction = null;
            _latest.Parameters[0].Value = convId;
            _latest.Parameters[1].Value = limit;
            using SqliteDataReader reader = _latest.ExecuteReader();
            while (reader.Read())
            {
                page.Add(new Message(reader.GetInt64(0), convId, (uint)reader.GetInt64(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), (byte[])reader.GetValue(3)));
            }
        }

        page.Reverse();
        return Task.FromResult<IReadOnlyList<Message>>(page);
    }

    public Task<IReadOnlyList<Message>> UserNextAsync(string userId, long afterSeqId, int limit)
    {
        var page = new List<Message>(limit);
        lock (_lock)
        {
            _userNext.Transaction = null;
            _userNext.Parameters[0].Value = userId;
            _userNext.Parameters[1].Value = afterSeqId;
            _userNext.Parameters[2].Value = limit;
            using SqliteDataReader reader = _userNext.ExecuteReader();
            while (reader.Read())
            {
                page.Add(new Message(reader.GetInt64(0), reader.GetString(1), (uint)reader.GetInt64(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), (byte[])reader.GetValue(4)));
            }
        }

        return Task.FromResult<IReadOnlyList<Message>>(page);
    }

    public ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _insertMessage.Dispose();
            _insertInbox.Dispose();
            _latest.Dispose();
            _userNext.Dispose();
            _connection.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private void Insert(NewMessage message)
    {
        long seq = _nextSeq++;
        SqliteParameterCollection m = _insertMessage.Parameters;
        m[0].Value = message.ConvId;
        m[1].Value = seq;
        m[2].Value = (long)message.SenderId;
        m[3].Value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        m[4].Value = message.Data.ToArray();
        _insertMessage.ExecuteNonQuery();
        SqliteParameterCollection inbox = _insertInbox.Parameters;
        inbox[1].Value = seq;
        inbox[2].Value = message.ConvId;
        foreach (string userId in message.UserIds)
        {
            inbox[0].Value = userId;
            _insertInbox.ExecuteNonQuery();
        }
    }

    private void Execute(string sql)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        SqliteCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (string name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }
}
