using Dapper;
using Microsoft.Data.Sqlite;

namespace BlockStore.Providers.Sqlite;

/// <summary>Compaction and erasure: replacing some of a timeline's block records, or dropping the timeline, each in one transaction.</summary>
internal sealed partial class SqliteTimelineRepository
{
    /// <remarks>
    /// Each removed record is matched by its key and its location; one that is not there refuses the whole call (nothing written),
    /// since its bytes would otherwise be released while another record may still point at them.
    /// </remarks>
    public ValueTask ReplaceBlocksAsync(TimelineKey key, IReadOnlyList<BlockInfo> removed, IReadOnlyList<BlockInfo> added, CancellationToken cancellationToken = default) =>
        ReplaceBlocksAsync([new BlockReplacement(key, removed, added)], cancellationToken);

    /// <summary>Applies every replacement in one transaction (one WAL flush): a refused one rolls all of them back.</summary>
    public ValueTask ReplaceBlocksAsync(IReadOnlyList<BlockReplacement> replacements, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replacements);
        foreach (BlockReplacement replacement in replacements)
        {
            BlockReplacementChecks.Validate(replacement.Key, replacement.Removed, replacement.Added);
        }

        lock (_db.WriteLock)
        {
            using SqliteTransaction transaction = _db.Writer.BeginTransaction();
            foreach (BlockReplacement replacement in replacements)
            {
                Replace(replacement.Key, replacement.Removed, replacement.Added, transaction);
            }

            transaction.Commit();
        }

        return ValueTask.CompletedTask;
    }

    private void Replace(TimelineKey key, IReadOnlyList<BlockInfo> removed, IReadOnlyList<BlockInfo> added, SqliteTransaction transaction)
    {
        long removedEntries = 0;
        for (int i = 0; i < removed.Count; i++)
        {
            long? count = _db.Writer.ExecuteScalar<long?>(SqlQueries.DeleteBlock, BlockRow.From(removed[i]), transaction);
            removedEntries += count ?? throw new ArgumentException(
                $"Removed block {i} (SeqIds {removed[i].FirstSeqId}..{removed[i].LastSeqId}) is not recorded at store {removed[i].Location.StoreId}, offset {removed[i].Location.Offset}; nothing was replaced.",
                nameof(removed));
        }

        _rows.InsertBlocks(added, transaction);
        long blocks = added.Count - removed.Count;
        long entries = added.Sum(static b => (long)b.Count) - removedEntries;
        if (!_rows.AddToTimeline(key, blocks, entries, added.Count == 0 ? 0 : added[^1].LastSeqId, transaction))
        {
            throw new ArgumentException($"{key.Kind} '{key.Id}' is not registered; nothing was replaced.", nameof(key));
        }

        long messages = key.Kind == TimelineKind.Conversation ? entries : 0;
        _db.Writer.Execute(SqlQueries.AddToTotal, new[] { Total(2, blocks), Total(3, messages) }, transaction);
    }

    public ValueTask DeleteTimelineAsync(TimelineKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key.Id, nameof(key));
        var args = new { Kind = (long)key.Kind, key.Id };
        lock (_db.WriteLock)
        {
            using SqliteTransaction transaction = _db.Writer.BeginTransaction();
            int registered = _db.Writer.Execute(SqlQueries.DeleteTimeline, args, transaction);
            List<long> counts = [.. _db.Writer.Query<long>(SqlQueries.DeleteTimelineBlocks, args, transaction)];
            if (registered == 0 && counts.Count == 0)
            {
                return ValueTask.CompletedTask;
            }

            bool conversation = key.Kind == TimelineKind.Conversation;
            long messages = conversation ? counts.Sum() : 0;
            _db.Writer.Execute(
                SqlQueries.AddToTotal,
                new[] { Total(conversation ? 0 : 1, -registered), Total(2, -counts.Count), Total(3, -messages) },
                transaction);
            transaction.Commit();
        }

        return ValueTask.CompletedTask;
    }
}
