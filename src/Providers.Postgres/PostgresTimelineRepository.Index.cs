using Npgsql;
using NpgsqlTypes;

namespace BlockStore.Providers.Postgres;

/// <summary>The index lookups: one timeline's totals and the sealed blocks covering a SeqId or time range, each one indexed statement.</summary>
internal sealed partial class PostgresTimelineRepository
{
    public async ValueTask<DataSetSummary> GetSummaryAsync(CancellationToken cancellationToken = default)
    {
        await using NpgsqlConnection c = await db.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlCommand command = Command(c, db.Queries.LoadTotals);
        await using NpgsqlDataReader row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await row.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new DataSetSummary(row.GetInt64(0), row.GetInt64(1), row.GetInt64(2), row.GetInt64(3), row.GetInt64(4), row.GetInt64(5))
            : new DataSetSummary(0, 0, 0, 0, 0, 0);
    }

    public async ValueTask<TimelineMetadata?> GetTimelineAsync(TimelineKey key, int newestBlocks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key.Id, nameof(key));
        ArgumentOutOfRangeException.ThrowIfNegative(newestBlocks);
        await using NpgsqlConnection c = await db.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlCommand command = Lookup(c, db.Queries.GetTimeline, key);
        command.Parameters.Add(Value("limit", newestBlocks));

        // One statement, so the totals and the blocks come from the same snapshot.
        await using NpgsqlDataReader row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await row.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        int blocks = (int)row.GetInt64(0);
        long entries = row.GetInt64(1);
        long lastSeq = row.GetInt64(2);
        var newest = new List<BlockInfo>();
        do
        {
            if (!row.IsDBNull(3))
            {
                newest.Add(ReadBlock(row, 3, key));
            }
        }
        while (await row.ReadAsync(cancellationToken).ConfigureAwait(false));

        return new TimelineMetadata(key, blocks, entries, lastSeq, newest);
    }

    public async ValueTask<IReadOnlyList<TimelineMetadata?>> GetTimelinesAsync(IReadOnlyList<TimelineKey> keys, int newestBlocks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfNegative(newestBlocks);
        var found = new TimelineMetadata?[keys.Count];
        if (keys.Count == 0)
        {
            return found;
        }

        await using NpgsqlConnection c = await db.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlCommand command = Command(c, db.Queries.GetTimelines);
        command.Parameters.Add(new NpgsqlParameter<short[]>("kinds", NpgsqlDbType.Array | NpgsqlDbType.Smallint) { TypedValue = [.. keys.Select(static k => (short)k.Kind)] });
        command.Parameters.Add(new NpgsqlParameter<string[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. keys.Select(static k => k.Id)] });
        command.Parameters.Add(Value("limit", newestBlocks));

        // One statement, so every timeline's totals and blocks come from the same snapshot.
        await using NpgsqlDataReader row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        int current = -1;
        List<BlockInfo>? newest = null;
        (int Blocks, long Entries, long LastSeq) totals = default;
        while (await row.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            int index = (int)row.GetInt64(0) - 1;
            if (index != current)
            {
                Finish();
                current = index;
                newest = [];
                totals = ((int)row.GetInt64(1), row.GetInt64(2), row.GetInt64(3));
            }

            if (!row.IsDBNull(4))
            {
                newest!.Add(ReadBlock(row, 4, keys[index]));
            }
        }

        Finish();
        return found;

        void Finish()
        {
            if (current >= 0)
            {
                found[current] = new TimelineMetadata(keys[current], totals.Blocks, totals.Entries, totals.LastSeq, newest!);
            }
        }
    }

    public async ValueTask<IReadOnlyList<BlockInfo>> GetBlocksBeforeAsync(TimelineKey key, long beforeSeqId, int maxBlocks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key.Id, nameof(key));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBlocks);
        await using NpgsqlConnection c = await db.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlCommand command = Lookup(c, db.Queries.BlocksBefore, key);
        command.Parameters.Add(Value("before", beforeSeqId));
        command.Parameters.Add(Value("limit", maxBlocks));
        return await ReadBlocksAsync(command, key, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<BlockInfo>> GetBlocksAfterAsync(TimelineKey key, long afterSeqId, long beforeSeqId, int maxBlocks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key.Id, nameof(key));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBlocks);
        await using NpgsqlConnection c = await db.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlCommand command = Lookup(c, db.Queries.BlocksAfter, key);
        command.Parameters.Add(Value("after", afterSeqId));
        command.Parameters.Add(Value("before", beforeSeqId));
        command.Parameters.Add(Value("limit", maxBlocks));
        return await ReadBlocksAsync(command, key, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<BlockInfo>> GetBlocksByTimeAsync(
        TimelineKey key, long fromMs, long toMs, long afterSeqId, long beforeSeqId, int maxBlocks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key.Id, nameof(key));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBlocks);
        await using NpgsqlConnection c = await db.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlCommand command = Lookup(c, db.Queries.BlocksByTime, key);
        command.Parameters.Add(Value("from", fromMs));
        command.Parameters.Add(Value("to", toMs));
        command.Parameters.Add(Value("after", afterSeqId));
        command.Parameters.Add(Value("before", beforeSeqId));
        command.Parameters.Add(Value("limit", maxBlocks));
        return await ReadBlocksAsync(command, key, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<BlockInfo>> ReadBlocksAsync(NpgsqlCommand command, TimelineKey key, CancellationToken cancellationToken)
    {
        var blocks = new List<BlockInfo>();
        await using NpgsqlDataReader row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await row.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            blocks.Add(ReadBlock(row, 0, key));
        }

        return blocks;
    }

    private NpgsqlCommand Lookup(NpgsqlConnection connection, string sql, TimelineKey key)
    {
        NpgsqlCommand command = Command(connection, sql);
        command.Parameters.Add(new NpgsqlParameter<short>("kind", NpgsqlDbType.Smallint) { TypedValue = (short)key.Kind });
        command.Parameters.Add(new NpgsqlParameter<string>("id", NpgsqlDbType.Text) { TypedValue = key.Id });
        return command;
    }
}
