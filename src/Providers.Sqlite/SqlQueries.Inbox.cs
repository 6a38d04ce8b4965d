namespace BlockStore.Providers.Sqlite;

/// <summary>The inbox statements of the SQLite provider.</summary>
internal static partial class SqlQueries
{
    /// <summary>
    /// The inbox tables, created on every open when missing (they need no migration). <c>inbox</c> holds one row per user and
    /// conversation, found by its primary key, newest activity first through <c>inbox_by_activity</c> and by conversation (to
    /// erase one) through <c>inbox_by_conv</c>; <c>inbox_state</c> holds the SeqId up to which the rows hold every message's activity.
    /// </summary>
    public const string CreateInboxSchema = """
        CREATE TABLE IF NOT EXISTS inbox (
            user_id    TEXT NOT NULL,
            conv_id    TEXT NOT NULL,
            last_seq   INTEGER NOT NULL DEFAULT 0,
            count      INTEGER NOT NULL DEFAULT 0,
            read_seq   INTEGER NOT NULL DEFAULT 0,
            read_count INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (user_id, conv_id)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS inbox_by_activity ON inbox (user_id, last_seq);
        CREATE INDEX IF NOT EXISTS inbox_by_conv ON inbox (conv_id);
        CREATE TABLE IF NOT EXISTS inbox_state (
            id              INTEGER PRIMARY KEY CHECK (id = 1),
            applied_through INTEGER NOT NULL
        );
        """;

    private const string InboxColumns = "SELECT conv_id AS ConvId, last_seq AS LastSeqId, count AS Count, read_seq AS ReadSeqId, read_count AS ReadCount FROM inbox ";

    public const string GetInboxRow = InboxColumns + "WHERE user_id = @user AND conv_id = @conv";

    /// <summary>A user's rows, newest activity first: a backwards range scan of <c>inbox_by_activity</c>.</summary>
    public const string GetInboxPage = InboxColumns + "WHERE user_id = @user AND last_seq > 0 AND last_seq < @before ORDER BY last_seq DESC LIMIT @limit";

    public const string GetUnreadTotal = "SELECT coalesce(sum(count - read_count), 0) FROM inbox WHERE user_id = @user";

    public const string GetInboxAppliedThrough = "SELECT applied_through FROM inbox_state WHERE id = 1";

    /// <summary>
    /// Adds activity to rows, given as a JSON array of <c>[user, conv, lastSeq, added, readRemoved]</c> arrays in <c>@rows</c>; the
    /// read count carries the deleted entries to take off (none for a new row). <c>WHERE true</c> tells the parser that
    /// <c>ON CONFLICT</c> belongs to the upsert, not to a join.
    /// </summary>
    public const string AddInboxActivity = """
        INSERT INTO inbox (user_id, conv_id, last_seq, count, read_count)
        SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, -(value ->> 4) FROM json_each(@rows) WHERE true
        ON CONFLICT (user_id, conv_id) DO UPDATE
            SET last_seq = max(last_seq, excluded.last_seq), count = count + excluded.count, read_count = read_count + excluded.read_count
        """;

    public const string SetInboxAppliedThrough = """
        INSERT INTO inbox_state (id, applied_through) VALUES (1, @through)
        ON CONFLICT (id) DO UPDATE SET applied_through = max(applied_through, excluded.applied_through)
        """;

    public const string SaveInboxMarker = """
        INSERT INTO inbox (user_id, conv_id, read_seq, read_count) VALUES (@UserId, @ConvId, @ReadSeqId, @ReadCount)
        ON CONFLICT (user_id, conv_id) DO UPDATE SET read_seq = excluded.read_seq, read_count = excluded.read_count
        WHERE excluded.read_seq > inbox.read_seq
        """;

    /// <summary>Every row of one user: a range of the primary key.</summary>
    public const string DeleteInboxUser = "DELETE FROM inbox WHERE user_id = @user";

    /// <summary>Every user's row of one conversation, found through <c>inbox_by_conv</c>.</summary>
    public const string DeleteInboxConversation = "DELETE FROM inbox WHERE conv_id = @conv";
}
