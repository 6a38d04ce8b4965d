using System.Runtime.CompilerServices;
using Dapper;
using Microsoft.Data.Sqlite;

namespace BlockStore.Providers.Sqlite;

/// <summary>Timeline metadata (the index) in the <c>timelines</c>, <c>blocks</c> and <c>meta</c> tables; the journal in the <c>journal</c> table, one row per group commit.</summary>
internal sealed partial class SqliteTimelineRepository : ITimelineRepository
{
    private readonly SqliteDatabase _db;
    private readonly SqliteCommand _append;
    private readonly SqliteParameter _appendId;
    private readonly SqliteParameter _appendData;
    private readonly SqliteBlockRows _rows;

    public SqliteTimelineRepository(SqliteDatabase db)
    {
        _db = db;
        _append = db.Writer.CreateCommand();
        _append.CommandText = SqlQueries.AppendJournal;
        _appendId = _append.Parameters.Add("@id", SqliteType.Integer);
        _appendData = _append.Parameters.Add("@data", SqliteType.Blob);
        _rows = new SqliteBlockRows(db.Writer);
    }

    public async IAsyncEnumerable<TimelineKey> LoadTimelinesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        SqliteReader reader = _db.RentReader();
        SqliteConnection connection = reader.Connection;
        try
        {
            await foreach (TimelineRow row in connection.QueryUnbufferedAsync<TimelineRow>(SqlQueries.LoadTimelines).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                yield return new TimelineKey((TimelineKind)row.Kind, row.Id);
            }
        }
        finally
        {
            _db.ReturnReader(reader);
        }
    }

    public async IAsyncEnumerable<BlockInfo> LoadBlocksAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        SqliteReader reader = _db.RentReader();
        SqliteConnection connection = reader.Connection;
        try
        {
            string? lastId = null;
            await foreach (BlockRow row in connection.QueryUnbufferedAsync<BlockRow>(SqlQueries.LoadBlocks).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                // Rows of one timeline are adjacent: share one id string between them.
                string id = lastId is not null && string.Equals(lastId, row.TimelineId, StringComparison.Ordinal) ? lastId : row.TimelineId;
                lastId = id;
                var location = new StoreIndex(row.StoreId, row.Offset, (int)row.Size, DateTimeOffset.FromUnixTimeMilliseconds(row.Created));
                yield return new BlockInfo((TimelineKind)row.Kind, id, row.FirstSeq, row.LastSeq, row.FirstTs, row.LastTs, (int)row.Count, location);
            }
        }
        finally
        {
            _db.ReturnReader(reader);
        }
    }

    public async IAsyncEnumerable<JournalRecord> ReadJournalAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        SqliteReader pooled = _db.RentReader();
        try
        {
            using SqliteCommand command = pooled.Connection.CreateCommand();
            command.CommandText = SqlQueries.ReadJournal;
            using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                long id = reader.GetInt64(0);
                yield return new JournalRecord(id, reader.GetValue(1) as byte[]
                    ?? throw new BlockStoreException($"Journal record {id} is damaged (its row holds no blob); the data set needs repair before it can be opened."));
            }
        }
        finally
        {
            _db.ReturnReader(pooled);
        }
    }

    /// <remarks>A commit deletes the rows below its trim point and keeps nothing else, so every id in use is in a row.</remarks>
    public ValueTask<long> LoadJournalKeepFromAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(0L);

    public ValueTask AppendJournalAsync(long recordId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        lock (_db.WriteLock)
        {
            _appendId.Value = recordId;
            _appendData.Value = SqliteDatabase.AsArray(payload);
            _append.ExecuteNonQuery();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask CommitBlocksAsync(IReadOnlyList<BlockInfo> blocks, long journalKeepFrom, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        var timelines = new Dictionary<TimelineKey, TimelineTotals>();
        long messages = 0;
        long maxSeq = 0;
        long maxTs = 0;
        for (int i = 0; i < blocks.Count; i++)
        {
            BlockInfo b = blocks[i];
            var key = new TimelineKey(b.Kind, b.TimelineId);
            TimelineTotals totals = timelines.GetValueOrDefault(key) ?? new TimelineTotals();
            totals.Blocks++;
            totals.Entries += b.Count;
            totals.LastSeq = Math.Max(totals.LastSeq, b.LastSeqId);
            timelines[key] = totals;
            messages += b.Kind == TimelineKind.Conversation ? b.Count : 0;
            maxSeq = Math.Max(maxSeq, b.LastSeqId);
            maxTs = Math.Max(maxTs, b.LastTimestamp);
        }

        lock (_db.WriteLock)
        {
            using SqliteTransaction transaction = _db.Writer.BeginTransaction();
            _rows.InsertBlocks(blocks, transaction);

            // One statement per new timeline (registered with its totals), two for one registered already.
            long convs = 0;
            long users = 0;
            foreach ((TimelineKey key, TimelineTotals totals) in timelines)
            {
                if (_rows.InsertTimeline(key, totals.Blocks, totals.Entries, totals.LastSeq, transaction))
                {
                    _ = key.Kind == TimelineKind.Conversation ? convs++ : users++;
                }
                else
                {
                    _rows.AddToTimeline(key, totals.Blocks, totals.Entries, totals.LastSeq, transaction);
                }
            }

            _db.Writer.Execute(SqlQueries.AddToTotal, new[] { Total(0, convs), Total(1, users), Total(2, blocks.Count), Total(3, messages) }, transaction);
            _db.Writer.Execute(SqlQueries.RaiseTotal, new[] { new { Key = SqlQueries.TotalKeys[4], Value = maxSeq }, new { Key = SqlQueries.TotalKeys[5], Value = maxTs } }, transaction);
            _db.Writer.Execute(SqlQueries.TrimJournal, new { KeepFrom = journalKeepFrom }, transaction);
            transaction.Commit();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask RegisterTimelinesAsync(IReadOnlyList<TimelineKey> timelines, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(timelines);
        lock (_db.WriteLock)
        {
            using SqliteTransaction transaction = _db.Writer.BeginTransaction();
            Register(timelines, transaction);
            transaction.Commit();
        }

        return ValueTask.CompletedTask;
    }

    private static TotalDelta Total(int index, long delta) => new(SqlQueries.TotalKeys[index], delta);

    /// <summary>Registers the timelines not registered yet and counts the new ones in the totals, per kind.</summary>
    private void Register(IEnumerable<TimelineKey> timelines, SqliteTransaction transaction)
    {
        int convs = _db.Writer.Execute(
            SqlQueries.InsertTimeline, timelines.Where(static t => t.Kind == TimelineKind.Conversation).Select(static t => new { Kind = (long)t.Kind, t.Id }), transaction);
        int users = _db.Writer.Execute(
            SqlQueries.InsertTimeline, timelines.Where(static t => t.Kind != TimelineKind.Conversation).Select(static t => new { Kind = (long)t.Kind, t.Id }), transaction);
        _db.Writer.Execute(SqlQueries.AddToTotal, new[] { Total(0, convs), Total(1, users) }, transaction);
    }

    private sealed record TotalDelta(string Key, long Delta);

    /// <summary>What one commit adds to a timeline's totals.</summary>
    private sealed class TimelineTotals
    {
        public long Blocks { get; set; }

        public long Entries { get; set; }

        public long LastSeq { get; set; }
    }

    private sealed class TimelineRow
    {
        public long Kind { get; set; }

        public string Id { get; set; } = "";
    }

    private sealed class BlockRow
    {
        public static BlockRow From(BlockInfo b) => new()
        {
            Kind = (long)b.Kind,
            TimelineId = b.TimelineId,
            FirstSeq = b.FirstSeqId,
            LastSeq = b.LastSeqId,
            FirstTs = b.FirstTimestamp,
            LastTs = b.LastTimestamp,
            Count = b.Count,
            StoreId = b.Location.StoreId,
            Offset = b.Location.Offset,
            Size = b.Location.Size,
            Created = b.Location.CreatedAt.ToUnixTimeMilliseconds(),
        };

        public long Kind { get; set; }

        public string TimelineId { get; set; } = "";

        public long FirstSeq { get; set; }

        public long LastSeq { get; set; }

        public long FirstTs { get; set; }

        public long LastTs { get; set; }

        public long Count { get; set; }

        public long StoreId { get; set; }

        public long Offset { get; set; }

        public long Size { get; set; }

        public long Created { get; set; }
    }
}
