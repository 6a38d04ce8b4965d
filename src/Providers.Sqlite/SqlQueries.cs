namespace BlockStore.Providers.Sqlite;

/// <summary>Every SQL statement of the SQLite provider, in one place; all of them parameterised with <c>@name</c>.</summary>
internal static class SqlQueries
{
    /// <summary>The table holding block bytes, keyed (as its rowid) by <see cref="BlockKey"/>.</summary>
    public const string BlockDataTable = "block_data";

    /// <summary>The column of <see cref="BlockDataTable"/> holding a block's bytes.</summary>
    public const string BlockDataColumn = "data";

    /// <summary>Sets <c>synchronous</c> to NORMAL: commits reach the WAL without a flush.</summary>
    public const string SynchronousNormal = "PRAGMA synchronous=NORMAL";

    /// <summary>The schema version this library writes and reads.</summary>
    public const int SchemaVersion = 1;

    /// <summary>
    /// The schema. Block bytes live in <c>block_data</c> keyed by <c>(store_id &lt;&lt; 40) | offset</c>, so sealing appends
    /// at the end of one B-tree. The journal is keyed by an increasing id: one row per group commit, appended at the end.
    /// </summary>
    public const string CreateSchema = """
        CREATE TABLE IF NOT EXISTS meta (
            key   TEXT PRIMARY KEY,
            value INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS stores (
            store_id INTEGER PRIMARY KEY,
            capacity INTEGER NOT NULL,
            used     INTEGER NOT NULL,
            created  INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS block_data (
            key  INTEGER PRIMARY KEY,
            data BLOB NOT NULL
        );
        CREATE TABLE IF NOT EXISTS timelines (
            kind INTEGER NOT NULL,
            id   TEXT NOT NULL,
            PRIMARY KEY (kind, id)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS blocks (
            kind        INTEGER NOT NULL,
            timeline_id TEXT NOT NULL,
            first_seq   INTEGER NOT NULL,
            last_seq    INTEGER NOT NULL,
            first_ts    INTEGER NOT NULL,
            last_ts     INTEGER NOT NULL,
            count       INTEGER NOT NULL,
            store_id    INTEGER NOT NULL,
            offset      INTEGER NOT NULL,
            size        INTEGER NOT NULL,
            created     INTEGER NOT NULL,
            PRIMARY KEY (kind, timeline_id, first_seq)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS journal (
            id   INTEGER PRIMARY KEY,
            data BLOB NOT NULL
        );
        CREATE TABLE IF NOT EXISTS checkpoints (
            user_id TEXT PRIMARY KEY,
            seq     INTEGER NOT NULL
        ) WITHOUT ROWID;
        """;

    public const string GetSchemaVersion = "SELECT value FROM meta WHERE key = 'schema_version'";

    public const string SetSchemaVersion = "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', @Version)";

    public const string LoadStores = "SELECT store_id AS StoreId, capacity AS Capacity, used AS Used FROM stores ORDER BY store_id";

    public const string InsertStore = "INSERT INTO stores (store_id, capacity, used, created) VALUES (@Id, @Capacity, 0, @Created)";

    public const string UpdateStoreUsed = "UPDATE stores SET used = @Used WHERE store_id = @Id";

    public const string InsertBlockData = "INSERT INTO block_data (key, data) VALUES (@key, @data)";

    public const string ReadBlockData = "SELECT data FROM block_data WHERE key = @key";

    public const string LoadTimelines = "SELECT kind AS Kind, id AS Id FROM timelines";

    public const string InsertTimeline = "INSERT OR IGNORE INTO timelines (kind, id) VALUES (@Kind, @Id)";

    public const string LoadBlocks = """
        SELECT kind AS Kind, timeline_id AS TimelineId, first_seq AS FirstSeq, last_seq AS LastSeq, first_ts AS FirstTs,
               last_ts AS LastTs, count AS Count, store_id AS StoreId, offset AS Offset, size AS Size, created AS Created
        FROM blocks ORDER BY kind, timeline_id, first_seq
        """;

    public const string InsertBlock = """
        INSERT INTO blocks (kind, timeline_id, first_seq, last_seq, first_ts, last_ts, count, store_id, offset, size, created)
        VALUES (@Kind, @TimelineId, @FirstSeq, @LastSeq, @FirstTs, @LastTs, @Count, @StoreId, @Offset, @Size, @Created)
        """;

    public const string ReadJournal = "SELECT id, data FROM journal ORDER BY id";

    public const string AppendJournal = "INSERT INTO journal (id, data) VALUES (@id, @data)";

    public const string TrimJournal = "DELETE FROM journal WHERE id < @KeepFrom";

    public const string GetCheckpoint = "SELECT seq FROM checkpoints WHERE user_id = @user";

    public const string SaveCheckpoint = """
        INSERT INTO checkpoints (user_id, seq) VALUES (@Key, @Value)
        ON CONFLICT (user_id) DO UPDATE SET seq = max(seq, excluded.seq)
        """;

    /// <summary>The settings of the writer connection: WAL, <c>synchronous</c> from <paramref name="durability"/>, the page cache and the busy timeout.</summary>
    public static string ConfigureWriter(Durability durability, int pageCacheKib) =>
        $"PRAGMA journal_mode=WAL; {Synchronous(durability)}; PRAGMA cache_size=-{pageCacheKib}; PRAGMA busy_timeout=5000;";

    /// <summary>The settings of a pooled reader connection: read-only, the page cache and the busy timeout.</summary>
    public static string ConfigureReader(int pageCacheKib) => $"PRAGMA query_only=1; PRAGMA cache_size=-{pageCacheKib}; PRAGMA busy_timeout=5000;";

    /// <summary>Sets <c>synchronous</c> to the level <paramref name="durability"/> asks for (FULL flushes every commit).</summary>
    public static string Synchronous(Durability durability) => durability == Durability.Full ? "PRAGMA synchronous=FULL" : SynchronousNormal;

    /// <summary>The key of a block in <see cref="BlockDataTable"/>: the store id above bit 40, the offset below, so sealing appends at the end of one B-tree.</summary>
    public static long BlockKey(long storeId, long offset) => (storeId << 40) | offset;
}
