using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;

namespace BlockStore.Providers.Postgres;

/// <summary>Timeline metadata (the index) in the <c>timelines</c>, <c>blocks</c> and <c>totals</c> tables; the journal in the <c>journal</c> table, one row per group commit.</summary>
internal sealed partial class PostgresTimelineRepository(PostgresDatabase db) : ITimelineRepository
{
    public async IAsyncEnumerable<TimelineKey> LoadTimelinesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using NpgsqlConnection c = await db.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlCommand command = Command(c, db.Queries.LoadTimelines);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return new TimelineKey((TimelineKind)reader.GetInt16(0), reader.GetString(1));
        }
    }

    public async IAsyncEnumerable<BlockInfo> LoadBlocksAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using NpgsqlConnection c = await db.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlCommand command = Command(c, db.Queries.LoadBlocks);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        string? lastId = null;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            string id = reader.GetString(1);

            // Rows of one timeline are adjacent: share one id string between them.
            lastId = lastId is not null && string.Equals(lastId, id, StringComparison.Ordinal) ? lastId : id;
            yield return ReadBlock(reader, 2, new TimelineKey((TimelineKind)reader.GetInt16(0), lastId));
        }
    }

    public async IAsyncEnumerable<JournalRecord> ReadJournalAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using NpgsqlConnection c = await db.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlCommand command = Command(c, db.Queries.ReadJournal);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return new JournalRecord(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1));
        }
    }

    /// <remarks>A commit deletes the rows below its trim point and keeps nothing else, so every id in use is in a row.</remarks>
    public ValueTask<long> LoadJournalKeepFromAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(0L);

    public ValueTask AppendJournalAsync(long recordId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        byte[] data = payload.ToArray();
        return db.WriteAsync(
            batch =>
            {
                NpgsqlBatchCommand append = db.Add(batch, db.Queries.AppendJournal);
                append.Parameters.Add(new NpgsqlParameter<long>("id", NpgsqlDbType.Bigint) { TypedValue = recordId });
                append.Parameters.Add(new NpgsqlParameter<byte[]>("data", NpgsqlDbType.Bytea) { TypedValue = data });
            },
            relaxed: false,
            cancellationToken);
    }

    public ValueTask CommitBlocksAsync(IReadOnlyList<BlockInfo> blocks, long journalKeepFrom, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        int n = blocks.Count;
        var timelines = new Dictionary<TimelineKey, (long Blocks, long Entries, long LastSeq)>();
        long messages = 0;
        long maxSeq = 0;
        long maxTs = 0;
        for (int i = 0; i < n; i++)
        {
            BlockInfo b = blocks[i];
            var key = new TimelineKey(b.Kind, b.TimelineId);
            (long blockCount, long entries, long lastSeq) = timelines.GetValueOrDefault(key);
            timelines[key] = (blockCount + 1, entries + b.Count, Math.Max(lastSeq, b.LastSeqId));
            messages += b.Kind == TimelineKind.Conversation ? b.Count : 0;
            maxSeq = Math.Max(maxSeq, b.LastSeqId);
            maxTs = Math.Max(maxTs, b.LastTimestamp);
        }

        TimelineKey[] keys = [.. timelines.Keys];
        return db.WriteAsync(
            batch =>
            {
                AddInsertBlocks(batch, blocks);
                AddRegister(batch, keys);
                NpgsqlBatchCommand add = db.Add(batch, db.Queries.AddToTimelines);
                add.Parameters.Add(Array("kinds", keys.Select(static k => (short)k.Kind).ToArray(), NpgsqlDbType.Smallint));
                add.Parameters.Add(Array("ids", keys.Select(static k => k.Id).ToArray(), NpgsqlDbType.Text));
                add.Parameters.Add(Array("blocks", keys.Select(k => timelines[k].Blocks).ToArray(), NpgsqlDbType.Bigint));
                add.Parameters.Add(Array("entries", keys.Select(k => timelines[k].Entries).ToArray(), NpgsqlDbType.Bigint));
                add.Parameters.Add(Array("lastSeqs", keys.Select(k => timelines[k].LastSeq).ToArray(), NpgsqlDbType.Bigint));
                NpgsqlBatchCommand totals = db.Add(batch, db.Queries.AddToTotals);
                totals.Parameters.Add(Value("blocks", (long)n));
                totals.Parameters.Add(Value("messages", messages));
                totals.Parameters.Add(Value("maxSeq", maxSeq));
                totals.Parameters.Add(Value("maxTs", maxTs));
                db.Add(batch, db.Queries.TrimJournal).Parameters.Add(Value("keepFrom", journalKeepFrom));
            },
            relaxed: false,
            cancellationToken);
    }

    public ValueTask RegisterTimelinesAsync(IReadOnlyList<TimelineKey> timelines, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(timelines);
        TimelineKey[] keys = [.. timelines.Distinct()];
        return db.WriteAsync(batch => AddRegister(batch, keys), relaxed: false, cancellationToken);
    }

    /// <summary>Adds the insert of <paramref name="blocks"/>' records to <paramref name="batch"/>: one statement over parallel arrays.</summary>
    private void AddInsertBlocks(NpgsqlBatch batch, IReadOnlyList<BlockInfo> blocks)
    {
        NpgsqlBatchCommand insert = db.Add(batch, db.Queries.InsertBlocks);
        insert.Parameters.Add(Array("kinds", [.. blocks.Select(static b => (short)b.Kind)], NpgsqlDbType.Smallint));
        insert.Parameters.Add(Array("ids", [.. blocks.Select(static b => b.TimelineId)], NpgsqlDbType.Text));
        insert.Parameters.Add(Array("firstSeqs", [.. blocks.Select(static b => b.FirstSeqId)], NpgsqlDbType.Bigint));
        insert.Parameters.Add(Array("lastSeqs", [.. blocks.Select(static b => b.LastSeqId)], NpgsqlDbType.Bigint));
        insert.Parameters.Add(Array("firstTs", [.. blocks.Select(static b => b.FirstTimestamp)], NpgsqlDbType.Bigint));
        insert.Parameters.Add(Array("lastTs", [.. blocks.Select(static b => b.LastTimestamp)], NpgsqlDbType.Bigint));
        insert.Parameters.Add(Array("counts", [.. blocks.Select(static b => b.Count)], NpgsqlDbType.Integer));
        insert.Parameters.Add(Array("storeIds", [.. blocks.Select(static b => b.Location.StoreId)], NpgsqlDbType.Bigint));
        insert.Parameters.Add(Array("offsets", [.. blocks.Select(static b => b.Location.Offset)], NpgsqlDbType.Bigint));
        insert.Parameters.Add(Array("sizes", [.. blocks.Select(static b => b.Location.Size)], NpgsqlDbType.Integer));
        insert.Parameters.Add(Array("created", [.. blocks.Select(static b => b.Location.CreatedAt.ToUnixTimeMilliseconds())], NpgsqlDbType.Bigint));
    }

    private static NpgsqlParameter<T[]> Array<T>(string name, T[] values, NpgsqlDbType type) => new(name, NpgsqlDbType.Array | type) { TypedValue = values };

    private static NpgsqlParameter<long> Value(string name, long value) => new(name, NpgsqlDbType.Bigint) { TypedValue = value };

    private static BlockInfo ReadBlock(NpgsqlDataReader row, int first, TimelineKey key)
    {
        var location = new StoreIndex(row.GetInt64(first + 5), row.GetInt64(first + 6), row.GetInt32(first + 7), DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(first + 8)));
        return new BlockInfo(key.Kind, key.Id, row.GetInt64(first), row.GetInt64(first + 1), row.GetInt64(first + 2), row.GetInt64(first + 3), row.GetInt32(first + 4), location);
    }

    private NpgsqlCommand Command(NpgsqlConnection connection, string sql)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter<string>("dataSet", NpgsqlDbType.Text) { TypedValue = db.DataSet });
        return command;
    }

    /// <summary>Registers the timelines not registered yet, counting the new ones in the totals per kind.</summary>
    private void AddRegister(NpgsqlBatch batch, TimelineKey[] keys)
    {
        NpgsqlBatchCommand register = db.Add(batch, db.Queries.RegisterTimelines);
        register.Parameters.Add(Array("kinds", keys.Select(static k => (short)k.Kind).ToArray(), NpgsqlDbType.Smallint));
        register.Parameters.Add(Array("ids", keys.Select(static k => k.Id).ToArray(), NpgsqlDbType.Text));
    }
}
