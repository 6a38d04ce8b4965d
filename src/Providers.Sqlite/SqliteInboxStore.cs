using System.Buffers;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;

namespace BlockStore.Providers.Sqlite;

/// <summary>The inbox index in the <c>inbox</c> and <c>inbox_state</c> tables; a marker save never lowers a stored marker.</summary>
internal sealed class SqliteInboxStore : IInboxStore
{
    private readonly SqliteDatabase db;
    private readonly SqliteCommand _addActivity;
    private readonly SqliteParameter _addRows;

    public SqliteInboxStore(SqliteDatabase db)
    {
        this.db = db;
        _addActivity = db.Writer.CreateCommand();
        _addActivity.CommandText = SqlQueries.AddInboxActivity;
        _addRows = _addActivity.Parameters.Add("@rows", SqliteType.Text);
    }

    public ValueTask<long> GetAppliedThroughAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(static (c, _) => c.ExecuteScalar<long?>(SqlQueries.GetInboxAppliedThrough) ?? 0, 0));

    public ValueTask<InboxRow?> GetAsync(string userId, string convId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(
            static (c, args) => c.Query<InboxRow>(SqlQueries.GetInboxRow, new { user = args.userId, conv = args.convId }).FirstOrDefault() is { ConvId: not null } row ? row : (InboxRow?)null,
            (userId, convId)));

    public ValueTask<IReadOnlyList<InboxRow>> GetPageAsync(string userId, long beforeSeqId, int limit, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<InboxRow>>(Read(
            static (c, args) => c.Query<InboxRow>(SqlQueries.GetInboxPage, new { user = args.userId, before = args.beforeSeqId, limit = args.limit }).AsList(),
            (userId, beforeSeqId, limit)));

    public ValueTask<long> GetUnreadTotalAsync(string userId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(static (c, user) => c.ExecuteScalar<long>(SqlQueries.GetUnreadTotal, new { user }), userId));

    public ValueTask SaveActivityAsync(IReadOnlyList<InboxActivity> changes, long appliedThrough, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);

        // In key order, consecutive upserts land on the same B-tree pages. One statement takes every row, as a JSON array of
        // [user, conv, lastSeq, added, readRemoved] read back by json_each: a seal saves thousands of rows, and a statement per
        // row bound five parameters for each (an object apiece) and stepped it on its own.
        InboxActivity[] rows = [.. changes];
        Array.Sort(rows, static (a, b) =>
            string.CompareOrdinal(a.UserId, b.UserId) is int byUser and not 0 ? byUser : string.CompareOrdinal(a.ConvId, b.ConvId));
        var json = new ArrayBufferWriter<byte>(64 + (rows.Length * 64));
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartArray();
            foreach (InboxActivity row in rows)
            {
                writer.WriteStartArray();
                writer.WriteStringValue(row.UserId);
                writer.WriteStringValue(row.ConvId);
                writer.WriteNumberValue(row.LastSeqId);
                writer.WriteNumberValue(row.Added);
                writer.WriteNumberValue(row.ReadRemoved);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }

        lock (db.WriteLock)
        {
            // No flush of its own: the engine drops the journal records holding this activity only through a later commit of the
            // same WAL, whose flush makes this one durable too; a power cut before then loses this commit and its applied-through
            // together, so the journal replays the activity.
            using IDisposable relaxed = db.RelaxedSync();
            using SqliteTransaction transaction = db.Writer.BeginTransaction();
            _addActivity.Transaction = transaction;
            _addRows.Value = Encoding.UTF8.GetString(json.WrittenSpan);
            _addActivity.ExecuteNonQuery();
            _addActivity.Transaction = null;
            db.Writer.Execute(SqlQueries.SetInboxAppliedThrough, new { through = appliedThrough }, transaction);
            transaction.Commit();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask SaveMarkersAsync(IReadOnlyList<InboxMarker> markers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(markers);
        lock (db.WriteLock)
        {
            using SqliteTransaction transaction = db.Writer.BeginTransaction();
            db.Writer.Execute(SqlQueries.SaveInboxMarker, markers, transaction);
            transaction.Commit();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DeleteUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        return Delete(SqlQueries.DeleteInboxUser, new { user = userId }, cancellationToken);
    }

    public ValueTask DeleteConversationAsync(string convId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(convId);
        return Delete(SqlQueries.DeleteInboxConversation, new { conv = convId }, cancellationToken);
    }

    private ValueTask Delete(string sql, object args, CancellationToken cancellationToken)
    {
        lock (db.WriteLock)
        {
            db.Writer.Execute(new CommandDefinition(sql, args, cancellationToken: cancellationToken));
        }

        return ValueTask.CompletedTask;
    }

    private T Read<T, TArgs>(Func<SqliteConnection, TArgs, T> query, TArgs args)
    {
        SqliteReader reader = db.RentReader();
        try
        {
            return query(reader.Connection, args);
        }
        finally
        {
            db.ReturnReader(reader);
        }
    }
}
