using System.Buffers.Binary;
using System.Text;

namespace BlockStore.Providers.File;

/// <summary>
/// The inbox index in a <see cref="SortedTable"/> (<c>meta/inbox-index.table</c> plus <c>.log</c>): memory holds the table's
/// page index and its changes since the last merge, never every user's rows. Keys and values (ids UTF-8, lengths u16 big
/// endian, numbers i64 little endian):
/// <list type="bullet">
/// <item>row: <c>'R'</c> | user id length | user id | conv id → last SeqId | count | read SeqId | read count. A user's rows are
/// contiguous, so one prefix scan serves a page or a total, and one lookup a row.</item>
/// <item>member: <c>'M'</c> | conv id length | conv id | user id → empty: who has a row of the conversation, so erasing a
/// conversation visits its members only, never every user.</item>
/// <item>state: <c>'S'</c> → applied-through: written in the same batch (one log record) as the activity it covers.</item>
/// </list>
/// Only the engine's writer writes, so a save reads the rows it changes and writes them back in one atomic batch.
/// </summary>
internal sealed class FileInboxStore : IInboxStore, IDisposable
{
    private const byte RowKind = (byte)'R';
    private const byte MemberKind = (byte)'M';
    private const int RowBytes = 4 * sizeof(long);
    private static readonly byte[] StateKey = [(byte)'S'];

    private readonly SortedTable _table;

    private FileInboxStore(SortedTable table) => _table = table;

    /// <summary>How many changes the table holds in memory, not yet merged into its run (for tests and measurements).</summary>
    internal int UnmergedChanges => _table.MemtableCount;

    /// <summary>Opens the inbox index under <paramref name="dataDir"/>, converting the snapshot and log of the earlier format once.</summary>
    public static FileInboxStore Open(string dataDir, Durability durability, long snapshotThreshold)
    {
        string meta = Path.Combine(dataDir, FileLayout.MetaDir);
        SortedTable table = SortedTable.Open(meta, FileLayout.InboxTableName, FileKind.InboxTable, FileKind.InboxTableLog, durability, snapshotThreshold);
        try
        {
            FileInboxMigration.Run(meta, durability, table);
            return new FileInboxStore(table);
        }
        catch
        {
            table.Dispose();
            throw;
        }
    }

    public ValueTask<long> GetAppliedThroughAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_table.Get(StateKey) is { } state ? BinaryPrimitives.ReadInt64LittleEndian(state) : 0);

    public ValueTask<InboxRow?> GetAsync(string userId, string convId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_table.Get(RowKey(userId, convId)) is { } value ? DecodeRow(convId, value) : (InboxRow?)null);

    public ValueTask<IReadOnlyList<InboxRow>> GetPageAsync(string userId, long beforeSeqId, int limit, CancellationToken cancellationToken = default)
    {
        var page = new List<InboxRow>();
        foreach (InboxRow row in Rows(userId))
        {
            if (row.LastSeqId > 0 && row.LastSeqId < beforeSeqId)
            {
                page.Add(row);
            }
        }

        page.Sort(static (a, b) => b.LastSeqId.CompareTo(a.LastSeqId));
        if (page.Count > limit)
        {
            page.RemoveRange(limit, page.Count - limit);
        }

        return ValueTask.FromResult<IReadOnlyList<InboxRow>>(page);
    }

    public ValueTask<long> GetUnreadTotalAsync(string userId, CancellationToken cancellationToken = default)
    {
        long total = 0;
        foreach (InboxRow row in Rows(userId))
        {
            total += row.Count - row.ReadCount;
        }

        return ValueTask.FromResult(total);
    }

    public ValueTask SaveActivityAsync(IReadOnlyList<InboxActivity> changes, long appliedThrough, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        cancellationToken.ThrowIfCancellationRequested();
        var batch = new SortedTableBatch();
        foreach ((byte[] key, InboxActivity change) in InKeyOrder(changes, static change => RowKey(change.UserId, change.ConvId)))
        {
            InboxRow row = Load(batch, key, change.UserId, change.ConvId);
            Put(batch, key, row with
            {
                LastSeqId = Math.Max(row.LastSeqId, change.LastSeqId),
                Count = row.Count + change.Added,
                ReadCount = row.ReadCount - change.ReadRemoved,
            });
        }

        long applied = Math.Max(appliedThrough, _table.Get(StateKey) is { } state ? BinaryPrimitives.ReadInt64LittleEndian(state) : 0);
        batch.Put(StateKey, EncodeState(applied));
        _table.Write(batch);
        return ValueTask.CompletedTask;
    }

    public ValueTask SaveMarkersAsync(IReadOnlyList<InboxMarker> markers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(markers);
        cancellationToken.ThrowIfCancellationRequested();
        var batch = new SortedTableBatch();
        foreach ((byte[] key, InboxMarker marker) in InKeyOrder(markers, static marker => RowKey(marker.UserId, marker.ConvId)))
        {
            InboxRow row = Load(batch, key, marker.UserId, marker.ConvId);
            if (marker.ReadSeqId > row.ReadSeqId)
            {
                Put(batch, key, row with { ReadSeqId = marker.ReadSeqId, ReadCount = marker.ReadCount });
            }
        }

        _table.Write(batch);
        return ValueTask.CompletedTask;
    }

    public ValueTask DeleteUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        cancellationToken.ThrowIfCancellationRequested();
        var batch = new SortedTableBatch();
        foreach (InboxRow row in Rows(userId).ToList())
        {
            batch.Delete(RowKey(userId, row.ConvId));
            batch.Delete(MemberKey(row.ConvId, userId));
        }

        _table.Write(batch);
        return ValueTask.CompletedTask;
    }

    public ValueTask DeleteConversationAsync(string convId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(convId);
        cancellationToken.ThrowIfCancellationRequested();
        byte[] prefix = Prefix(MemberKind, convId);
        var batch = new SortedTableBatch();
        foreach (KeyValuePair<byte[], byte[]> member in _table.Scan(prefix).ToList())
        {
            string userId = Encoding.UTF8.GetString(member.Key.AsSpan(prefix.Length));
            batch.Delete(RowKey(userId, convId));
            batch.Delete(member.Key);
        }

        _table.Write(batch);
        return ValueTask.CompletedTask;
    }

    public void Dispose() => _table.Dispose();

    /// <summary>The key of one user's row in one conversation.</summary>
    internal static byte[] RowKey(string userId, string convId) => Key(RowKind, userId, convId);

    /// <summary>The key saying that a user has a row in a conversation.</summary>
    internal static byte[] MemberKey(string convId, string userId) => Key(MemberKind, convId, userId);

    /// <summary>The value of a row.</summary>
    internal static byte[] EncodeRow(InboxRow row)
    {
        byte[] value = new byte[RowBytes];
        BinaryPrimitives.WriteInt64LittleEndian(value, row.LastSeqId);
        BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(8), row.Count);
        BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(16), row.ReadSeqId);
        BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(24), row.ReadCount);
        return value;
    }

    /// <summary>The key of the applied-through state and its value.</summary>
    internal static KeyValuePair<byte[], byte[]> State(long appliedThrough) => new(StateKey, EncodeState(appliedThrough));

    private static byte[] EncodeState(long appliedThrough)
    {
        byte[] value = new byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(value, appliedThrough);
        return value;
    }

    private static InboxRow DecodeRow(string convId, byte[] value)
    {
        if (value.Length != RowBytes)
        {
            throw new BlockStoreException($"The inbox row of conversation '{convId}' has {value.Length} bytes, not {RowBytes}; the inbox index is damaged.");
        }

        return new InboxRow(
            convId,
            BinaryPrimitives.ReadInt64LittleEndian(value),
            BinaryPrimitives.ReadInt64LittleEndian(value.AsSpan(8)),
            BinaryPrimitives.ReadInt64LittleEndian(value.AsSpan(16)),
            BinaryPrimitives.ReadInt64LittleEndian(value.AsSpan(24)));
    }

    /// <summary><paramref name="kind"/> | first id's length and bytes: the prefix every key of that id shares.</summary>
    private static byte[] Prefix(byte kind, string first) => Key(kind, first, string.Empty);

    private static byte[] Key(byte kind, string first, string second)
    {
        int firstBytes = Encoding.UTF8.GetByteCount(first);
        byte[] key = new byte[1 + sizeof(ushort) + firstBytes + Encoding.UTF8.GetByteCount(second)];
        key[0] = kind;
        BinaryPrimitives.WriteUInt16BigEndian(key.AsSpan(1), checked((ushort)firstBytes));
        Encoding.UTF8.GetBytes(first, key.AsSpan(1 + sizeof(ushort)));
        Encoding.UTF8.GetBytes(second, key.AsSpan(1 + sizeof(ushort) + firstBytes));
        return key;
    }

    /// <summary>The user's rows, in conversation id order, as of the call.</summary>
    private IEnumerable<InboxRow> Rows(string userId)
    {
        byte[] prefix = Prefix(RowKind, userId);
        foreach (KeyValuePair<byte[], byte[]> record in _table.Scan(prefix))
        {
            string convId = Encoding.UTF8.GetString(record.Key.AsSpan(prefix.Length));
            yield return DecodeRow(convId, record.Value);
        }
    }

    /// <summary>The stored row (an empty one when there is none, whose membership <paramref name="batch"/> then records).</summary>
    private InboxRow Load(SortedTableBatch batch, byte[] key, string userId, string convId)
    {
        if (_table.Get(key) is { } value)
        {
            return DecodeRow(convId, value);
        }

        batch.Put(MemberKey(convId, userId), []);
        return new InboxRow(convId, 0, 0, 0, 0);
    }

    private static void Put(SortedTableBatch batch, byte[] key, InboxRow row) => batch.Put(key, EncodeRow(row));

    /// <summary>The items with their row keys, in key order, so the rows they look up are read a page at a time.</summary>
    private static (byte[] Key, T Item)[] InKeyOrder<T>(IReadOnlyList<T> items, Func<T, byte[]> key)
    {
        var keyed = new (byte[] Key, T Item)[items.Count];
        for (int i = 0; i < keyed.Length; i++)
        {
            keyed[i] = (key(items[i]), items[i]);
        }

        Array.Sort(keyed, static (a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
        return keyed;
    }
}
