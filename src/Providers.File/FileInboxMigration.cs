namespace BlockStore.Providers.File;

/// <summary>
/// Converts, once at open, an inbox index of the earlier format (<c>meta/inbox.snapshot</c> plus <c>meta/inbox.log</c>, read
/// whole into memory as that format was served) into the sorted table, then deletes those files. A crash before the deletion
/// leaves them in place and the next open converts them again, replacing whatever the table held. Record kinds (u8 first):
/// activity 6 (applied-through i64 | count i32 | count × (user id, conv id, last SeqId i64, added i64, read removed i64)) and
/// 1 (the same without read removed), markers 2 (count i32 | count × (user id, conv id, read SeqId i64, read count i64)), rows
/// 3 (applied-through i64 | count i32 | count × (user id, conv id, four i64)), user erased 4 (user id), conversation erased 5
/// (conv id); ids are UTF-8 with a u16 length.
/// </summary>
internal sealed class FileInboxMigration
{
    private const byte ActivityRecord = 1;
    private const byte MarkersRecord = 2;
    private const byte RowsRecord = 3;
    private const byte UserErasedRecord = 4;
    private const byte ConversationErasedRecord = 5;
    private const byte ActivityWithRemovalsRecord = 6;

    private readonly Dictionary<string, Dictionary<string, InboxRow>> _users = new(StringComparer.Ordinal);
    private long _appliedThrough;

    private FileInboxMigration()
    {
    }

    /// <summary>Converts the earlier format's files in <paramref name="metaDir"/> into <paramref name="table"/>, when there are any.</summary>
    public static void Run(string metaDir, Durability durability, SortedTable table)
    {
        string snapshot = Path.Combine(metaDir, FileLayout.InboxName + ".snapshot");
        string log = Path.Combine(metaDir, FileLayout.InboxName + ".log");
        if (!System.IO.File.Exists(snapshot) && !System.IO.File.Exists(log))
        {
            return;
        }

        var migration = new FileInboxMigration();
        using (SnapshotLog.Open(metaDir, FileLayout.InboxName, FileKind.InboxSnapshot, FileKind.InboxLog, durability, long.MaxValue, migration.Replay))
        {
        }

        table.Rewrite(migration.Records());
        FileIo.Current.Delete(snapshot);
        FileIo.Current.Delete(log);
        DurableFiles.SyncDirectory(metaDir, durability);
    }

    /// <summary>Every row, its membership and the applied-through state, in key order.</summary>
    private List<KeyValuePair<byte[], byte[]>> Records()
    {
        var records = new List<KeyValuePair<byte[], byte[]>> { FileInboxStore.State(_appliedThrough) };
        foreach ((string userId, Dictionary<string, InboxRow> convs) in _users)
        {
            foreach (InboxRow row in convs.Values)
            {
                records.Add(new(FileInboxStore.RowKey(userId, row.ConvId), FileInboxStore.EncodeRow(row)));
                records.Add(new(FileInboxStore.MemberKey(row.ConvId, userId), []));
            }
        }

        records.Sort(static (a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
        return records;
    }

    private void Replay(ReadOnlySpan<byte> body)
    {
        var reader = new RecordReader(body);
        byte kind = reader.ReadByte();
        if (kind is UserErasedRecord or ConversationErasedRecord)
        {
            Erase(kind, reader.ReadString());
            if (!reader.AtEnd)
            {
                throw new InvalidDataException("The record has trailing bytes.");
            }

            return;
        }

        long appliedThrough = kind is ActivityRecord or RowsRecord or ActivityWithRemovalsRecord ? reader.ReadInt64() : 0;
        int count = reader.ReadInt32();
        if (count < 0 || kind is not (ActivityRecord or MarkersRecord or RowsRecord or ActivityWithRemovalsRecord))
        {
            throw new InvalidDataException($"Record kind {kind} with count {count}.");
        }

        for (int i = 0; i < count; i++)
        {
            string userId = reader.ReadString();
            string convId = reader.ReadString();
            Dictionary<string, InboxRow> convs = Convs(userId);
            InboxRow row = convs.TryGetValue(convId, out InboxRow found) ? found : new InboxRow(convId, 0, 0, 0, 0);
            if (kind == MarkersRecord)
            {
                (long readSeqId, long readCount) = (reader.ReadInt64(), reader.ReadInt64());
                convs[convId] = readSeqId > row.ReadSeqId ? row with { ReadSeqId = readSeqId, ReadCount = readCount } : row;
            }
            else if (kind == RowsRecord)
            {
                convs[convId] = new InboxRow(convId, reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64());
            }
            else
            {
                (long lastSeqId, long added) = (reader.ReadInt64(), reader.ReadInt64());
                long readRemoved = kind == ActivityWithRemovalsRecord ? reader.ReadInt64() : 0;
                convs[convId] = row with { LastSeqId = Math.Max(row.LastSeqId, lastSeqId), Count = row.Count + added, ReadCount = row.ReadCount - readRemoved };
            }
        }

        if (!reader.AtEnd)
        {
            throw new InvalidDataException("The record has trailing bytes.");
        }

        _appliedThrough = Math.Max(_appliedThrough, appliedThrough);
    }

    private void Erase(byte kind, string id)
    {
        if (kind == UserErasedRecord)
        {
            _users.Remove(id);
            return;
        }

        foreach (KeyValuePair<string, Dictionary<string, InboxRow>> user in _users)
        {
            if (user.Value.Remove(id) && user.Value.Count == 0)
            {
                _users.Remove(user.Key);
            }
        }
    }

    private Dictionary<string, InboxRow> Convs(string userId)
    {
        if (!_users.TryGetValue(userId, out Dictionary<string, InboxRow>? convs))
        {
            convs = new Dictionary<string, InboxRow>(StringComparer.Ordinal);
            _users.Add(userId, convs);
        }

        return convs;
    }
}
