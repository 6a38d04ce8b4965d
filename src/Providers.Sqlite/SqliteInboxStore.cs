using Dapper;
using Microsoft.Data.Sqlite;

namespace BlockStore.Providers.Sqlite;

/// <summary>The inbox index in the <c>inbox</c> and <c>inbox_state</c> tables; a marker save never lowers a stored marker.</summary>
internal sealed class SqliteInboxStore(SqliteDatabase db) : IInboxStore
{
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
        lock (db.WriteLock)
        {
            using SqliteTransaction transaction = db.Writer.BeginTransaction();
            db.Writer.Execute(SqlQueries.AddInboxActivity, changes, transaction);
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
