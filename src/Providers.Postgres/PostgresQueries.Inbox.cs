namespace BlockStore.Providers.Postgres;

/// <summary>The inbox statements of the PostgreSQL provider.</summary>
internal sealed partial class PostgresQueries
{
    /// <summary>
    /// The inbox tables, created on every open when missing (they need no migration). <c>inbox</c> holds one row per data set,
    /// user and conversation, found by its primary key, newest activity first through <c>inbox_by_activity</c> and by
    /// conversation (to erase one) through <c>inbox_by_conv</c>; <c>inbox_state</c> holds each data set's SeqId up to which the
    /// rows hold every message's activity.
    /// </summary>
    public string CreateInboxSchema => $"""
        CREATE TABLE IF NOT EXISTS {Schema}.inbox (
            data_set   text NOT NULL,
            user_id    text NOT NULL,
            conv_id    text NOT NULL,
            last_seq   bigint NOT NULL DEFAULT 0,
            count      bigint NOT NULL DEFAULT 0,
            read_seq   bigint NOT NULL DEFAULT 0,
            read_count bigint NOT NULL DEFAULT 0,
            PRIMARY KEY (data_set, user_id, conv_id)
        );
        CREATE INDEX IF NOT EXISTS inbox_by_activity ON {Schema}.inbox (data_set, user_id, last_seq);
        CREATE INDEX IF NOT EXISTS inbox_by_conv ON {Schema}.inbox (data_set, conv_id);
        CREATE TABLE IF NOT EXISTS {Schema}.inbox_state (
            data_set        text PRIMARY KEY,
            applied_through bigint NOT NULL
        );
        """;

    private string InboxColumns => $"SELECT conv_id, last_seq, count, read_seq, read_count FROM {Schema}.inbox ";

    public string GetInboxRow => InboxColumns + "WHERE data_set = @dataSet AND user_id = @userId AND conv_id = @convId";

    /// <summary>A user's rows, newest activity first: a backwards range scan of <c>inbox_by_activity</c>.</summary>
    public string GetInboxPage => InboxColumns + """
        WHERE data_set = @dataSet AND user_id = @userId AND last_seq > 0 AND last_seq < @before ORDER BY last_seq DESC LIMIT @limit
        """;

    public string GetUnreadTotal => $"SELECT coalesce(sum(count - read_count), 0)::bigint FROM {Schema}.inbox WHERE data_set = @dataSet AND user_id = @userId";

    public string GetInboxAppliedThrough => $"SELECT applied_through FROM {Schema}.inbox_state WHERE data_set = @dataSet";

    /// <summary>Adds activity to rows; the read count carries the deleted entries to take off (none for a new row).</summary>
    public string AddInboxActivity => $"""
        INSERT INTO {Schema}.inbox (data_set, user_id, conv_id, last_seq, count, read_count)
        SELECT @dataSet, u, c, s, n, -r FROM unnest(@users, @convs, @seqs, @counts, @readRemoved) AS t(u, c, s, n, r)
        ON CONFLICT (data_set, user_id, conv_id) DO UPDATE
            SET last_seq = greatest({Schema}.inbox.last_seq, excluded.last_seq), count = {Schema}.inbox.count + excluded.count,
                read_count = {Schema}.inbox.read_count + excluded.read_count
        """;

    public string SetInboxAppliedThrough => $"""
        INSERT INTO {Schema}.inbox_state (data_set, applied_through) VALUES (@dataSet, @through)
        ON CONFLICT (data_set) DO UPDATE SET applied_through = greatest({Schema}.inbox_state.applied_through, excluded.applied_through)
        """;

    public string SaveInboxMarkers => $"""
        INSERT INTO {Schema}.inbox (data_set, user_id, conv_id, read_seq, read_count)
        SELECT @dataSet, u, c, s, n FROM unnest(@users, @convs, @seqs, @counts) AS t(u, c, s, n)
        ON CONFLICT (data_set, user_id, conv_id) DO UPDATE SET read_seq = excluded.read_seq, read_count = excluded.read_count
        WHERE excluded.read_seq > {Schema}.inbox.read_seq
        """;

    /// <summary>Every row of one user: a range of the primary key.</summary>
    public string DeleteInboxUser => $"DELETE FROM {Schema}.inbox WHERE data_set = @dataSet AND user_id = @userId";

    /// <summary>Every user's row of one conversation, found through <c>inbox_by_conv</c>.</summary>
    public string DeleteInboxConversation => $"DELETE FROM {Schema}.inbox WHERE data_set = @dataSet AND conv_id = @convId";
}
