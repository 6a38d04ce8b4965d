using Npgsql;
using NpgsqlTypes;

namespace BlockStore.Providers.Postgres;

/// <summary>Compaction and erasure: replacing some of a timeline's block records, or dropping the timeline, each in one fenced commit.</summary>
internal sealed partial class PostgresTimelineRepository
{
    /// <remarks>
    /// Each removed record is matched by its key and its location; one that is not there refuses the whole call (nothing written),
    /// since its bytes would otherwise be released while another record may still point at them. Only the writer writes, so the
    /// records looked up first are the ones the commit drops.
    /// </remarks>
    public async ValueTask ReplaceBlocksAsync(TimelineKey key, IReadOnlyList<BlockInfo> removed, IReadOnlyList<BlockInfo> added, CancellationToken cancellationToken = default) =>
        await db.WriteAsync(await PrepareReplaceAsync(key, removed, added, cancellationToken).ConfigureAwait(false), relaxed: false, cancellationToken).ConfigureAwait(false);

    /// <summary>Checks every replacement first, then commits them all in one fenced commit.</summary>
    public async ValueTask ReplaceBlocksAsync(IReadOnlyList<BlockReplacement> replacements, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replacements);
        var writes = new List<Action<NpgsqlBatch>>(replacements.Count);
        foreach (BlockReplacement replacement in replacements)
        {
            writes.Add(await PrepareReplaceAsync(replacement.Key, replacement.Removed, replacement.Added, cancellationToken).ConfigureAwait(false));
        }

        if (writes.Count > 0)
        {
            await db.WriteAsync(batch => writes.ForEach(write => write(batch)), relaxed: false, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Checks one replacement against the records (nothing written) and returns the commands that apply it.</summary>
    private async ValueTask<Action<NpgsqlBatch>> PrepareReplaceAsync(TimelineKey key, IReadOnlyList<BlockInfo> removed, IReadOnlyList<BlockInfo> added, CancellationToken cancellationToken)
    {
        BlockReplacementChecks.Validate(key, removed, added);
        long[] firstSeqs = [.. removed.Select(static b => b.FirstSeqId)];
        var removedCounts = new List<int>(removed.Count);
        bool registered;
        await using (NpgsqlConnection c = await db.OpenReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await using (NpgsqlCommand command = Lookup(c, db.Queries.RecordedBlocks, key))
            {
                command.Parameters.Add(Array("firstSeqs", firstSeqs, NpgsqlDbType.Bigint));
                command.Parameters.Add(Array("storeIds", [.. removed.Select(static b => b.Location.StoreId)], NpgsqlDbType.Bigint));
                command.Parameters.Add(Array("offsets", [.. removed.Select(static b => b.Location.Offset)], NpgsqlDbType.Bigint));
                await using NpgsqlDataReader row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await row.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    removedCounts.Add(row.GetInt32(0));
                }
            }

            await using NpgsqlCommand timeline = Lookup(c, db.Queries.GetTimeline, key);
            timeline.Parameters.Add(Value("limit", 0));
            registered = await timeline.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
        }

        if (removedCounts.Count != removed.Count)
        {
            throw new ArgumentException(
                $"{removed.Count - removedCounts.Count} of the {removed.Count} removed blocks are not recorded for {key.Kind} '{key.Id}' at their locations; nothing was replaced.",
                nameof(removed));
        }

        if (!registered)
        {
            throw new ArgumentException($"{key.Kind} '{key.Id}' is not registered; nothing was replaced.", nameof(key));
        }

        long blocks = added.Count - removed.Count;
        long entries = added.Sum(static b => (long)b.Count) - removedCounts.Sum(static n => (long)n);
        return batch =>
            {
                Lookup(db.Add(batch, db.Queries.DeleteBlocks), key).Parameters.Add(Array("firstSeqs", firstSeqs, NpgsqlDbType.Bigint));
                AddInsertBlocks(batch, added);
                NpgsqlBatchCommand timeline = Lookup(db.Add(batch, db.Queries.AddToTimeline), key);
                timeline.Parameters.Add(Value("blocks", blocks));
                timeline.Parameters.Add(Value("entries", entries));
                timeline.Parameters.Add(Value("lastSeq", added.Count == 0 ? 0 : added[^1].LastSeqId));
                NpgsqlBatchCommand totals = db.Add(batch, db.Queries.AddToTotals);
                totals.Parameters.Add(Value("blocks", blocks));
                totals.Parameters.Add(Value("messages", key.Kind == TimelineKind.Conversation ? entries : 0));
                totals.Parameters.Add(Value("maxSeq", 0));
                totals.Parameters.Add(Value("maxTs", 0));
            };
    }

    public ValueTask DeleteTimelineAsync(TimelineKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key.Id, nameof(key));
        return db.WriteAsync(
            batch =>
            {
                Lookup(db.Add(batch, db.Queries.DeleteTimeline), key);
                Lookup(db.Add(batch, db.Queries.DeleteTimelineBlocks), key);
            },
            relaxed: false,
            cancellationToken);
    }

    /// <summary>Adds the timeline's kind and id to a statement of a batch.</summary>
    private static NpgsqlBatchCommand Lookup(NpgsqlBatchCommand command, TimelineKey key)
    {
        command.Parameters.Add(new NpgsqlParameter<short>("kind", NpgsqlDbType.Smallint) { TypedValue = (short)key.Kind });
        command.Parameters.Add(new NpgsqlParameter<string>("id", NpgsqlDbType.Text) { TypedValue = key.Id });
        return command;
    }
}
