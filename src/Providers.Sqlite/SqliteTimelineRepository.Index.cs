using Dapper;
using Microsoft.Data.Sqlite;

namespace BlockStore.Providers.Sqlite;

/// <summary>The index lookups: one timeline's totals and the sealed blocks covering a SeqId or time range, each an indexed search.</summary>
internal sealed partial class SqliteTimelineRepository
{
    public ValueTask<DataSetSummary> GetSummaryAsync(CancellationToken cancellationToken = default)
    {
        SqliteReader reader = _db.RentReader();
        try
        {
            var totals = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach ((string key, long value) in reader.Connection.Query<(string, long)>(SqlQueries.LoadTotals))
            {
                totals[key] = value;
            }

            long Get(int index) => totals.GetValueOrDefault(SqlQueries.TotalKeys[index]);
            return ValueTask.FromResult(new DataSetSummary(Get(0), Get(1), Get(2), Get(3), Get(4), Get(5)));
        }
        finally
        {
            _db.ReturnReader(reader);
        }
    }

    public ValueTask<TimelineMetadata?> GetTimelineAsync(TimelineKey key, int newestBlocks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key.Id, nameof(key));
        ArgumentOutOfRangeException.ThrowIfNegative(newestBlocks);
        SqliteReader reader = _db.RentReader();
        try
        {
            // One read transaction, so the totals and the blocks come from the same commit.
            using SqliteTransaction transaction = reader.Connection.BeginTransaction(deferred: true);
            return ValueTask.FromResult(ReadTimeline(reader, transaction, key, newestBlocks));
        }
        finally
        {
            _db.ReturnReader(reader);
        }
    }

    /// <summary>Every timeline of <paramref name="keys"/> in one read transaction on one connection, instead of a transaction per timeline.</summary>
    public ValueTask<IReadOnlyList<TimelineMetadata?>> GetTimelinesAsync(IReadOnlyList<TimelineKey> keys, int newestBlocks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfNegative(newestBlocks);
        foreach (TimelineKey key in keys)
        {
            ArgumentNullException.ThrowIfNull(key.Id, nameof(keys));
        }

        SqliteReader reader = _db.RentReader();
        try
        {
            using SqliteTransaction transaction = reader.Connection.BeginTransaction(deferred: true);
            var found = new TimelineMetadata?[keys.Count];
            for (int i = 0; i < found.Length; i++)
            {
                found[i] = ReadTimeline(reader, transaction, keys[i], newestBlocks);
            }

            return ValueTask.FromResult<IReadOnlyList<TimelineMetadata?>>(found);
        }
        finally
        {
            _db.ReturnReader(reader);
        }
    }

    /// <summary>One timeline's totals and newest blocks, read inside <paramref name="transaction"/>; null when it is not registered.</summary>
    private static TimelineMetadata? ReadTimeline(SqliteReader reader, SqliteTransaction transaction, TimelineKey key, int newestBlocks)
    {
        int blocks;
        long entries;
        long lastSeq;
        using (SqliteDataReader row = reader.GetTimeline.For(key, transaction).ExecuteReader())
        {
            if (!row.Read())
            {
                return null;
            }

            blocks = (int)row.GetInt64(0);
            entries = row.GetInt64(1);
            lastSeq = row.GetInt64(2);
        }

        IReadOnlyList<BlockInfo> newest = [];
        if (blocks > 0 && newestBlocks > 0)
        {
            SqliteCommand command = reader.BlocksBefore.For(key, transaction);
            reader.BlocksBefore.Set("@before", long.MaxValue);
            reader.BlocksBefore.Set("@limit", newestBlocks);
            List<BlockInfo> list = ReadBlocks(command, key);
            list.Reverse();
            newest = list;
        }

        return new TimelineMetadata(key, blocks, entries, lastSeq, newest);
    }

    public ValueTask<IReadOnlyList<BlockInfo>> GetBlocksBeforeAsync(TimelineKey key, long beforeSeqId, int maxBlocks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key.Id, nameof(key));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBlocks);
        SqliteReader reader = _db.RentReader();
        try
        {
            SqliteCommand command = reader.BlocksBefore.For(key, null);
            reader.BlocksBefore.Set("@before", beforeSeqId);
            reader.BlocksBefore.Set("@limit", maxBlocks);
            return ValueTask.FromResult<IReadOnlyList<BlockInfo>>(ReadBlocks(command, key));
        }
        finally
        {
            _db.ReturnReader(reader);
        }
    }

    public ValueTask<IReadOnlyList<BlockInfo>> GetBlocksAfterAsync(TimelineKey key, long afterSeqId, long beforeSeqId, int maxBlocks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key.Id, nameof(key));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBlocks);
        SqliteReader reader = _db.RentReader();
        try
        {
            SqliteCommand command = reader.BlocksAfter.For(key, null);
            reader.BlocksAfter.Set("@after", afterSeqId);
            reader.BlocksAfter.Set("@before", beforeSeqId);
            reader.BlocksAfter.Set("@limit", maxBlocks);
            return ValueTask.FromResult<IReadOnlyList<BlockInfo>>(ReadBlocks(command, key));
        }
        finally
        {
            _db.ReturnReader(reader);
        }
    }

    public ValueTask<IReadOnlyList<BlockInfo>> GetBlocksByTimeAsync(
        TimelineKey key, long fromMs, long toMs, long afterSeqId, long beforeSeqId, int maxBlocks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key.Id, nameof(key));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBlocks);
        SqliteReader reader = _db.RentReader();
        try
        {
            SqliteCommand command = reader.BlocksByTime.For(key, null);
            reader.BlocksByTime.Set("@from", fromMs);
            reader.BlocksByTime.Set("@to", toMs);
            reader.BlocksByTime.Set("@after", afterSeqId);
            reader.BlocksByTime.Set("@before", beforeSeqId);
            reader.BlocksByTime.Set("@limit", maxBlocks);
            return ValueTask.FromResult<IReadOnlyList<BlockInfo>>(ReadBlocks(command, key));
        }
        finally
        {
            _db.ReturnReader(reader);
        }
    }

    private static List<BlockInfo> ReadBlocks(SqliteCommand command, TimelineKey key)
    {
        var blocks = new List<BlockInfo>();
        using SqliteDataReader row = command.ExecuteReader();
        while (row.Read())
        {
            var location = new StoreIndex(row.GetInt64(5), row.GetInt64(6), (int)row.GetInt64(7), DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(8)));
            blocks.Add(new BlockInfo(key.Kind, key.Id, row.GetInt64(0), row.GetInt64(1), row.GetInt64(2), row.GetInt64(3), (int)row.GetInt64(4), location));
        }

        return blocks;
    }
}
