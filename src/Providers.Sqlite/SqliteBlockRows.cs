using Microsoft.Data.Sqlite;

namespace BlockStore.Providers.Sqlite;

/// <summary>
/// The writer's prepared statements for block records and timeline totals, bound by typed parameters: a seal inserts hundreds of
/// block rows and updates as many timelines, where binding each row through a parameter object cost several times the insert.
/// </summary>
internal sealed class SqliteBlockRows
{
    private readonly SqliteCommand _insertBlock;
    private readonly SqliteParameter[] _block;
    private readonly SqliteCommand _insertTimeline;
    private readonly SqliteParameter[] _inserted;
    private readonly SqliteCommand _addToTimeline;
    private readonly SqliteParameter[] _added;

    public SqliteBlockRows(SqliteConnection writer)
    {
        (_insertBlock, _block) = Prepare(writer, SqlQueries.InsertBlock, "@Kind", "@TimelineId", "@FirstSeq", "@LastSeq", "@FirstTs", "@LastTs", "@Count", "@StoreId", "@Offset", "@Size", "@Created");
        (_insertTimeline, _inserted) = Prepare(writer, SqlQueries.InsertTimelineWithTotals, "@Kind", "@Id", "@Blocks", "@Entries", "@LastSeq");
        (_addToTimeline, _added) = Prepare(writer, SqlQueries.AddToTimeline, "@Kind", "@Id", "@Blocks", "@Entries", "@LastSeq");
    }

    /// <summary>Inserts one block record per entry of <paramref name="blocks"/>.</summary>
    public void InsertBlocks(IEnumerable<BlockInfo> blocks, SqliteTransaction transaction)
    {
        _insertBlock.Transaction = transaction;
        try
        {
            foreach (BlockInfo b in blocks)
            {
                _block[0].Value = (long)b.Kind;
                _block[1].Value = b.TimelineId;
                _block[2].Value = b.FirstSeqId;
                _block[3].Value = b.LastSeqId;
                _block[4].Value = b.FirstTimestamp;
                _block[5].Value = b.LastTimestamp;
                _block[6].Value = b.Count;
                _block[7].Value = b.Location.StoreId;
                _block[8].Value = b.Location.Offset;
                _block[9].Value = b.Location.Size;
                _block[10].Value = b.Location.CreatedAt.ToUnixTimeMilliseconds();
                _insertBlock.ExecuteNonQuery();
            }
        }
        finally
        {
            _insertBlock.Transaction = null;
        }
    }

    /// <summary>Registers a timeline with its first totals; false (and nothing written) when it is registered already.</summary>
    public bool InsertTimeline(TimelineKey key, long blocks, long entries, long lastSeq, SqliteTransaction transaction) =>
        Execute(_insertTimeline, _inserted, key, blocks, entries, lastSeq, transaction) == 1;

    /// <summary>Adds to a registered timeline's totals and raises its last SeqId; false (and nothing written) when it is not registered.</summary>
    public bool AddToTimeline(TimelineKey key, long blocks, long entries, long lastSeq, SqliteTransaction transaction) =>
        Execute(_addToTimeline, _added, key, blocks, entries, lastSeq, transaction) == 1;

    private static int Execute(SqliteCommand command, SqliteParameter[] parameters, TimelineKey key, long blocks, long entries, long lastSeq, SqliteTransaction transaction)
    {
        parameters[0].Value = (long)key.Kind;
        parameters[1].Value = key.Id;
        parameters[2].Value = blocks;
        parameters[3].Value = entries;
        parameters[4].Value = lastSeq;
        command.Transaction = transaction;
        try
        {
            return command.ExecuteNonQuery();
        }
        finally
        {
            command.Transaction = null;
        }
    }

    /// <summary>A command on the writer whose second parameter is the timeline id (text) and every other one an integer.</summary>
    private static (SqliteCommand Command, SqliteParameter[] Parameters) Prepare(SqliteConnection writer, string sql, params string[] names)
    {
        SqliteCommand command = writer.CreateCommand();
        command.CommandText = sql;
        var parameters = new SqliteParameter[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            parameters[i] = command.Parameters.Add(names[i], i == 1 ? SqliteType.Text : SqliteType.Integer);
        }

        return (command, parameters);
    }
}
