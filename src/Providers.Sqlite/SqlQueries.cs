namespace BlockStore.Providers.Sqlite;

/// <summary>Every SQL statement of the SQLite provider, in one place; all of them parameterised with <c>@name</c>.</summary>
internal static partial class SqlQueries
{
    /// <summary>The table holding block bytes, keyed (as its rowid) by <see cref="BlockKey"/>.</summary>
    public const string BlockDataTable = "block_data";

    /// <summary>The column of <see cref="BlockDataTable"/> holding a block's bytes.</summary>
    public const string BlockDataColumn = "data";

    /// <summary>Sets <c>synchronous</c> to NORMAL: commits reach the WAL without a flush.</summary>
    public const string SynchronousNormal = "PRAGMA synchronous=NORMAL";

    /// <summary>Writes a consistent copy of the whole database into the new, empty file <c>@target</c>.</summary>
    public const string BackupInto = "VACUUM INTO @target";

    /// <summary>The schema version this library writes and reads.</summary>
    public const int SchemaVersion = 3;

    /// <summary>
    /// The schema (version 3). Block bytes live in <c>block_data</c> keyed by <c>(store_id &lt;&lt; 40) | offset</c>, so sealing appends
    /// at the end of one B-tree. The journal is keyed by an increasing id: one row per group commit, appended at the end.
    /// The index: <c>timelines</c> holds each timeline's totals, <c>blocks</c> each sealed block, found by SeqId through its
    /// primary key and <c>blocks_by_last_seq</c>, by time through <c>blocks_by_time</c>; <c>meta</c> holds the data set's
    /// running totals and high-water marks (<see cref="TotalKeys"/>).
    /// A store's <c>used</c> is where its next block goes; <c>freed</c> counts the bytes of its blocks released since.
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
            created  INTEGER NOT NULL,
            freed    INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE IF NOT EXISTS block_data (
            key  INTEGER PRIMARY KEY,
            data BLOB NOT NULL
        );
        CREATE TABLE IF NOT EXISTS timelines (
            kind     INTEGER NOT NULL,
            id       TEXT NOT NULL,
            blocks   INTEGER NOT NULL DEFAULT 0,
            entries  INTEGER NOT NULL DEFAULT 0,
            last_seq INTEGER NOT NULL DEFAULT 0,
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
        CREATE INDEX IF NOT EXISTS blocks_by_last_seq ON blocks (kind, timeline_id, last_seq);
        CREATE INDEX IF NOT EXISTS blocks_by_time ON blocks (kind, timeline_id, last_ts, last_seq);
        CREATE TABLE IF NOT EXISTS journal (
            id   INTEGER PRIMARY KEY,
            data BLOB NOT NULL
        );
        CREATE TABLE IF NOT EXISTS checkpoints (
            user_id TEXT PRIMARY KEY,
            seq     INTEGER NOT NULL
        ) WITHOUT ROWID;
        """;

    /// <summary>Version 1 kept no totals: add them, fill them from the blocks, and index the blocks (the tables are unchanged otherwise).</summary>
    public const string MigrateFrom1 = """
        ALTER TABLE timelines ADD COLUMN blocks INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE timelines ADD COLUMN entries INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE timelines ADD COLUMN last_seq INTEGER NOT NULL DEFAULT 0;
        INSERT OR IGNORE INTO timelines (kind, id) SELECT DISTINCT kind, timeline_id FROM blocks;
        UPDATE timelines SET (blocks, entries, last_seq) =
            (SELECT count(*), coalesce(sum(b.count), 0), coalesce(max(b.last_seq), 0) FROM blocks b WHERE b.kind = timelines.kind AND b.timeline_id = timelines.id);
        CREATE INDEX IF NOT EXISTS blocks_by_last_seq ON blocks (kind, timeline_id, last_seq);
        CREATE INDEX IF NOT EXISTS blocks_by_time ON blocks (kind, timeline_id, last_ts, last_seq);
        """;

    /// <summary>Version 2 kept no freed bytes per store (nothing was ever freed): add the column, zero.</summary>
    public const string MigrateFrom2 = "ALTER TABLE stores ADD COLUMN freed INTEGER NOT NULL DEFAULT 0";

    /// <summary>The keys of the running totals in <c>meta</c>, in the order of <see cref="DataSetSummary"/>.</summary>
    public static readonly string[] TotalKeys = ["conv_timelines", "user_timelines", "blocks", "messages", "max_seq", "max_ts"];

    /// <summary>Computes the running totals from the tables: run once when they are created or migrated, never at open.</summary>
    public const string InitTotals = """
        INSERT OR REPLACE INTO meta (key, value) VALUES
            ('conv_timelines', (SELECT count(*) FROM timelines WHERE kind = 1)),
            ('user_timelines', (SELECT count(*) FROM timelines WHERE kind = 2)),
            ('blocks', (SELECT count(*) FROM blocks)),
            ('messages', (SELECT coalesce(sum(count), 0) FROM blocks WHERE kind = 1)),
            ('max_seq', (SELECT coalesce(max(last_seq), 0) FROM blocks)),
            ('max_ts', (SELECT coalesce(max(last_ts), 0) FROM blocks));
        """;

    public const string LoadTotals = "SELECT key AS Key, value AS Value FROM meta WHERE key <> 'schema_version'";

    public const string AddToTotal = "UPDATE meta SET value = value + @Delta WHERE key = @Key";

    public const string RaiseTotal = "UPDATE meta SET value = max(value, @Value) WHERE key = @Key";

    /// <summary>Registers a timeline with the totals of its first blocks; affects no row when it is registered already.</summary>
    public const string InsertTimelineWithTotals = """
        INSERT OR IGNORE INTO timelines (kind, id, blocks, entries, last_seq) VALUES (@Kind, @Id, @Blocks, @Entries, @LastSeq)
        """;

    public const string AddToTimeline = """
        UPDATE timelines SET blocks = blocks + @Blocks, entries = entries + @Entries, last_seq = max(last_seq, @LastSeq)
        WHERE kind = @Kind AND id = @Id
        """;

    public const string GetTimeline = "SELECT blocks, entries, last_seq FROM timelines WHERE kind = @kind AND id = @id";

    private const string BlockColumns = "SELECT first_seq, last_seq, first_ts, last_ts, count, store_id, offset, size, created FROM blocks ";

    /// <summary>The newest blocks starting below a SeqId: a backwards range scan of the primary key.</summary>
    public const string BlocksBefore = BlockColumns + """
        WHERE kind = @kind AND timeline_id = @id AND first_seq < @before ORDER BY first_seq DESC LIMIT @limit
        """;

    /// <summary>The oldest blocks ending above a SeqId: a range scan of <c>blocks_by_last_seq</c>.</summary>
    public const string BlocksAfter = BlockColumns + """
        WHERE kind = @kind AND timeline_id = @id AND last_seq > @after AND first_seq < @before ORDER BY last_seq LIMIT @limit
        """;

    /// <summary>The oldest blocks overlapping a time window: a range scan of <c>blocks_by_time</c>.</summary>
    public const string BlocksByTime = BlockColumns + """
        WHERE kind = @kind AND timeline_id = @id AND last_ts >= @from AND first_ts < @to AND last_seq > @after AND first_seq < @before
        ORDER BY last_ts, last_seq LIMIT @limit
        """;

    public const string GetSchemaVersion = "SELECT value FROM meta WHERE key = 'schema_version'";

    public const string SetSchemaVersion = "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', @Version)";

    public const string LoadStores = "SELECT store_id AS StoreId, capacity AS Capacity, used AS Used, freed AS Freed FROM stores ORDER BY store_id";

    public const string InsertStore = "INSERT INTO stores (store_id, capacity, used, created) VALUES (@Id, @Capacity, 0, @Created)";

    public const string UpdateStoreUsed = "UPDATE stores SET used = @Used WHERE store_id = @Id";

    public const string InsertBlockData = "INSERT INTO block_data (key, data) VALUES (@key, @data)";

    public const string ReadBlockData = "SELECT data FROM block_data WHERE key = @key";

    /// <summary>Deletes one block's bytes (zeroed in its pages by <c>secure_delete</c>), returning their length; no row when it was freed already.</summary>
    public const string ReleaseBlockData = "DELETE FROM block_data WHERE key = @key RETURNING length(data)";

    public const string SetFreed = "UPDATE stores SET freed = @Freed WHERE store_id = @Id";

    public const string DeleteStore = "DELETE FROM stores WHERE store_id = @Id";

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

    /// <summary>Drops one block record, matched by its key and its location, returning its entry count; no row when there is no such record.</summary>
    public const string DeleteBlock = """
        DELETE FROM blocks WHERE kind = @Kind AND timeline_id = @TimelineId AND first_seq = @FirstSeq AND store_id = @StoreId AND offset = @Offset
        RETURNING count
        """;

    public const string DeleteTimeline = "DELETE FROM timelines WHERE kind = @Kind AND id = @Id";

    /// <summary>Drops every block record of a timeline (a range of the primary key), returning each one's entry count.</summary>
    public const string DeleteTimelineBlocks = "DELETE FROM blocks WHERE kind = @Kind AND timeline_id = @Id RETURNING count";

    public const string ReadJournal = "SELECT id, data FROM journal ORDER BY id";

    public const string AppendJournal = "INSERT INTO journal (id, data) VALUES (@id, @data)";

    public const string TrimJournal = "DELETE FROM journal WHERE id < @KeepFrom";

    /// <summary>
    /// Lets the database return free pages to the file system on request. It takes effect on a database without tables; an
    /// existing database needs <see cref="Vacuum"/> once to switch.
    /// </summary>
    public const string EnableIncrementalVacuum = "PRAGMA auto_vacuum=INCREMENTAL";

    /// <summary>The auto_vacuum mode: 0 none, 1 full, 2 incremental.</summary>
    public const string GetAutoVacuum = "PRAGMA auto_vacuum";

    /// <summary>Incremental auto-vacuum's value of <see cref="GetAutoVacuum"/>.</summary>
    public const long IncrementalAutoVacuum = 2;

    /// <summary>Rebuilds the database, applying a changed auto_vacuum mode (a one-time migration of databases created before it).</summary>
    public const string Vacuum = "VACUUM";

    /// <summary>Returns every free page (left by trimmed journal records and freed blocks) to the file system.</summary>
    public const string ReleaseFreePages = "PRAGMA incremental_vacuum";

    /// <summary>How many pages of the database are free.</summary>
    public const string FreePages = "PRAGMA freelist_count";

    /// <summary>
    /// Moves the WAL's frames into the database and truncates the WAL to zero bytes, so no frame keeps a page's former content;
    /// returns one row: busy (1 when a reader kept it from finishing), frames in the WAL, frames moved.
    /// </summary>
    public const string TruncateWal = "PRAGMA wal_checkpoint(TRUNCATE)";

    public const string GetCheckpoint = "SELECT seq FROM checkpoints WHERE user_id = @user";

    public const string SaveCheckpoint = """
        INSERT INTO checkpoints (user_id, seq) VALUES (@Key, @Value)
        ON CONFLICT (user_id) DO UPDATE SET seq = max(seq, excluded.seq)
        """;

    public const string DeleteCheckpoint = "DELETE FROM checkpoints WHERE user_id = @user";

    /// <summary>Overwrites deleted content with zeros (in its page, and whole pages when they are freed), so a deleted row leaves no bytes behind.</summary>
    public const string SecureDelete = "PRAGMA secure_delete=ON";

    /// <summary>The settings of the writer connection: WAL, <c>synchronous</c> from <paramref name="durability"/>, <see cref="SecureDelete"/>, the page cache and the busy timeout.</summary>
    public static string ConfigureWriter(Durability durability, int pageCacheKib) =>
        $"PRAGMA journal_mode=WAL; {Synchronous(durability)}; {SecureDelete}; PRAGMA cache_size=-{pageCacheKib}; PRAGMA busy_timeout=5000;";

    /// <summary>The settings of a pooled reader connection: read-only, <see cref="SecureDelete"/> (as on every connection), the page cache and the busy timeout.</summary>
    public static string ConfigureReader(int pageCacheKib) => $"PRAGMA query_only=1; {SecureDelete}; PRAGMA cache_size=-{pageCacheKib}; PRAGMA busy_timeout=5000;";

    /// <summary>Sets <c>synchronous</c> to the level <paramref name="durability"/> asks for (FULL flushes every commit).</summary>
    public static string Synchronous(Durability durability) => durability == Durability.Full ? "PRAGMA synchronous=FULL" : SynchronousNormal;

    /// <summary>The key of a block in <see cref="BlockDataTable"/>: the store id above bit 40, the offset below, so sealing appends at the end of one B-tree.</summary>
    public static long BlockKey(long storeId, long offset) => (storeId << 40) | offset;
}
