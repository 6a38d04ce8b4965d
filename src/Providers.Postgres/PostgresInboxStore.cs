using Npgsql;
using NpgsqlTypes;

namespace BlockStore.Providers.Postgres;

/// <summary>The inbox index in the <c>inbox</c> and <c>inbox_state</c> tables; every save is fenced like every write, and a marker save never lowers a stored marker.</summary>
internal sealed class PostgresInboxStore(PostgresDatabase db) : IInboxStore
{
    public async ValueTask<long> GetAppliedThroughAsync(CancellationToken cancellationToken = default)
    {
        await using NpgsqlConnection c = await db.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlCommand command = Command(c, db.Queries.GetInboxAppliedThrough, userId: null);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long seq ? seq : 0;
    }

    public async ValueTask<InboxRow?> GetAsync(string userId, string convId, CancellationToken cancellationToken = default)
    {
        await using NpgsqlConnection c = await db.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlCommand command = Command(c, db.Queries.GetInboxRow, userId);
        command.Parameters.Add(new NpgsqlParameter<string>("convId", NpgsqlDbType.Text) { TypedValue = convId });
        IReadOnlyList<InboxRow> rows = await ReadRowsAsync(command, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public async ValueTask<IReadOnlyList<InboxRow>> GetPageAsync(string userId, long beforeSeqId, int limit, CancellationToken cancellationToken = default)
    {
        await using NpgsqlConnection c = await db.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlCommand command = Command(c, db.Queries.GetInboxPage, userId);
        command.Parameters.Add(new NpgsqlParameter<long>("before", NpgsqlDbType.Bigint) { TypedValue = beforeSeqId });
        command.Parameters.Add(new NpgsqlParameter<int>("limit", NpgsqlDbType.Integer) { TypedValue = limit });
        return await ReadRowsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<long> GetUnreadTotalAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using NpgsqlConnection c = await db.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlCommand command = Command(c, db.Queries.GetUnreadTotal, userId);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long total ? total : 0;
    }

    public ValueTask SaveActivityAsync(IReadOnlyList<InboxActivity> changes, long appliedThrough, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        string[] users = [.. changes.Select(static c => c.UserId)];
        string[] convs = [.. changes.Select(static c => c.ConvId)];
        long[] seqs = [.. changes.Select(static c => c.LastSeqId)];
        long[] counts = [.. changes.Select(static c => c.Added)];
        long[] readRemoved = [.. changes.Select(static c => c.ReadRemoved)];
        return db.WriteAsync(
            batch =>
            {
                NpgsqlBatchCommand add = db.Add(batch, db.Queries.AddInboxActivity);
                AddRows(add, users, convs, seqs, counts);
                add.Parameters.Add(new NpgsqlParameter<long[]>("readRemoved", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = readRemoved });
                NpgsqlBatchCommand applied = db.Add(batch, db.Queries.SetInboxAppliedThrough);
                applied.Parameters.Add(new NpgsqlParameter<long>("through", NpgsqlDbType.Bigint) { TypedValue = appliedThrough });
            },

            // No flush of its own: the engine drops the journal rows holding this activity only through a later synchronous
            // commit, which flushes the WAL past this one; a crash before then loses this commit and its applied-through
            // together, so the journal replays the activity.
            relaxed: true,
            cancellationToken);
    }

    public ValueTask SaveMarkersAsync(IReadOnlyList<InboxMarker> markers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(markers);
        string[] users = [.. markers.Select(static m => m.UserId)];
        string[] convs = [.. markers.Select(static m => m.ConvId)];
        long[] seqs = [.. markers.Select(static m => m.ReadSeqId)];
        long[] counts = [.. markers.Select(static m => m.ReadCount)];
        return db.WriteAsync(batch => AddRows(db.Add(batch, db.Queries.SaveInboxMarkers), users, convs, seqs, counts), relaxed: false, cancellationToken);
    }

    public ValueTask DeleteUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        return Delete(db.Queries.DeleteInboxUser, "userId", userId, cancellationToken);
    }

    public ValueTask DeleteConversationAsync(string convId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(convId);
        return Delete(db.Queries.DeleteInboxConversation, "convId", convId, cancellationToken);
    }

    private ValueTask Delete(string sql, string name, string id, CancellationToken cancellationToken) =>
        db.WriteAsync(
            batch => db.Add(batch, sql).Parameters.Add(new NpgsqlParameter<string>(name, NpgsqlDbType.Text) { TypedValue = id }),
            relaxed: false,
            cancellationToken);

    private static void AddRows(NpgsqlBatchCommand command, string[] users, string[] convs, long[] seqs, long[] counts)
    {
        command.Parameters.Add(new NpgsqlParameter<string[]>("users", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = users });
        command.Parameters.Add(new NpgsqlParameter<string[]>("convs", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = convs });
        command.Parameters.Add(new NpgsqlParameter<long[]>("seqs", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = seqs });
        command.Parameters.Add(new NpgsqlParameter<long[]>("counts", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = counts });
    }

    private NpgsqlCommand Command(NpgsqlConnection c, string sql, string? userId)
    {
        var command = new NpgsqlCommand(sql, c);
        command.Parameters.Add(new NpgsqlParameter<string>("dataSet", NpgsqlDbType.Text) { TypedValue = db.DataSet });
        if (userId is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<string>("userId", NpgsqlDbType.Text) { TypedValue = userId });
        }

        return command;
    }

    private static async Task<IReadOnlyList<InboxRow>> ReadRowsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<InboxRow>();
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new InboxRow(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4)));
        }

        return rows;
    }
}
