namespace BlockStore.Providers.File;

/// <summary>
/// The inbox index in <c>meta/inbox.snapshot</c> plus <c>meta/inbox.log</c> (see <see cref="SnapshotLog"/>), served from memory.
/// A record (little endian) starts with its kind (u8). Activity (6): applied-through i64 | count i32 | count × (user id, conv id
/// as UTF-8 length u16 + bytes, last SeqId i64, added i64, read removed i64), added to the rows; activity written before deletes
/// counted (1) has no read removed. Markers (2): count i32 | count × (user id, conv id,
/// read SeqId i64, read count i64), each stored when above the row's marker. Rows (3, snapshots only): applied-through i64 |
/// count i32 | count × (user id, conv id, last SeqId, count, read SeqId, read count, each i64). User erased (4): user id, whose
/// rows are removed. Conversation erased (5): conv id, whose rows of every user are removed.
/// </summary>
internal sealed class FileInboxStore : IInboxStore, IDisposable
{
    private const byte ActivityRecord = 1;
    private const byte MarkersRecord = 2;
    private const byte RowsRecord = 3;
    private const byte UserErasedRecord = 4;
    private const byte ConversationErasedRecord = 5;
    private const byte ActivityWithRemovalsRecord = 6;
    private const int SnapshotChunkBytes = 64 * 1024;

    private readonly Dictionary<string, Dictionary<string, InboxRow>> _users = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly RecordBuffer _record = new();
    private readonly SnapshotSource _snapshotSource;
    private SnapshotLog _log = null!;
    private long _appliedThrough;

    private FileInboxStore() => _snapshotSource = WriteSnapshot;

    /// <summary>Loads the inbox index from <c>meta/</c> under <paramref name="dataDir"/>.</summary>
    public static FileInboxStore Open(string dataDir, Durability durability, long snapshotThreshold)
    {
        var store = new FileInboxStore();
        try
        {
            store._log = SnapshotLog.Open(
                Path.Combine(dataDir, FileLayout.MetaDir), FileLayout.InboxName, FileKind.InboxSnapshot, FileKind.InboxLog, durability, snapshotThreshold, store.Replay);
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    public ValueTask<long> GetAppliedThroughAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_appliedThrough);
        }
    }

    public ValueTask<InboxRow?> GetAsync(string userId, string convId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return ValueTask.FromResult<InboxRow?>(
                _users.TryGetValue(userId, out Dictionary<string, InboxRow>? convs) && convs.TryGetValue(convId, out InboxRow row) ? row : null);
        }
    }

    public ValueTask<IReadOnlyList<InboxRow>> GetPageAsync(string userId, long beforeSeqId, int limit, CancellationToken cancellationToken = default)
    {
        var page = new List<InboxRow>();
        lock (_lock)
        {
            if (_users.TryGetValue(userId, out Dictionary<string, InboxRow>? convs))
            {
                foreach (InboxRow row in convs.Values)
                {
                    if (row.LastSeqId > 0 && row.LastSeqId < beforeSeqId)
                    {
                        page.Add(row);
                    }
                }
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
        lock (_lock)
        {
            if (_users.TryGetValue(userId, out Dictionary<string, InboxRow>? convs))
            {
                foreach (InboxRow row in convs.Values)
                {
                    total += row.Count - row.ReadCount;
                }
            }
        }

        return ValueTask.FromResult(total);
    }

    public ValueTask SaveActivityAsync(IReadOnlyList<InboxActivity> changes, long appliedThrough, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            _record.Clear();
            _record.WriteByte(ActivityWithRemovalsRecord);
            _record.WriteInt64(appliedThrough);
            _record.WriteInt32(changes.Count);
            foreach (InboxActivity change in changes)
            {
                _record.WriteString(change.UserId);
                _record.WriteString(change.ConvId);
                _record.WriteInt64(change.LastSeqId);
                _record.WriteInt64(change.Added);
                _record.WriteInt64(change.ReadRemoved);
            }

            _log.Append(_record.WrittenSpan);
            foreach (InboxActivity change in changes)
            {
                AddActivity(change.UserId, change.ConvId, change.LastSeqId, change.Added, change.ReadRemoved);
            }

            _appliedThrough = Math.Max(_appliedThrough, appliedThrough);
            _log.CompactIfDue(_snapshotSource);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask SaveMarkersAsync(IReadOnlyList<InboxMarker> markers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(markers);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            _record.Clear();
            _record.WriteByte(MarkersRecord);
            _record.WriteInt32(markers.Count);
            foreach (InboxMarker marker in markers)
            {
                _record.WriteString(marker.UserId);
                _record.WriteString(marker.ConvId);
                _record.WriteInt64(marker.ReadSeqId);
                _record.WriteInt64(marker.ReadCount);
            }

            _log.Append(_record.WrittenSpan);
            foreach (InboxMarker marker in markers)
            {
                RaiseMarker(marker.UserId, marker.ConvId, marker.ReadSeqId, marker.ReadCount);
            }

            _log.CompactIfDue(_snapshotSource);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DeleteUserAsync(string userId, CancellationToken cancellationToken = default) =>
        Erase(UserErasedRecord, userId, cancellationToken);

    public ValueTask DeleteConversationAsync(string convId, CancellationToken cancellationToken = default) =>
        Erase(ConversationErasedRecord, convId, cancellationToken);

    public void Dispose()
    {
        lock (_lock)
        {
            _log?.Dispose();
            _record.Dispose();
        }
    }

    /// <summary>Logs the erasure of a user's rows or of a conversation's rows and applies it; the next snapshot holds none of them.</summary>
    private ValueTask Erase(byte kind, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            _record.Clear();
            _record.WriteByte(kind);
            _record.WriteString(id);
            _log.Append(_record.WrittenSpan);
            Apply(kind, id);
            _log.CompactIfDue(_snapshotSource);
        }

        return ValueTask.CompletedTask;
    }

    private void Apply(byte erasure, string id)
    {
        if (erasure == UserErasedRecord)
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

    private void AddActivity(string userId, string convId, long lastSeqId, long added, long readRemoved)
    {
        Dictionary<string, InboxRow> convs = Convs(userId);
        InboxRow row = convs.TryGetValue(convId, out InboxRow found) ? found : new InboxRow(convId, 0, 0, 0, 0);
        convs[convId] = row with { LastSeqId = Math.Max(row.LastSeqId, lastSeqId), Count = row.Count + added, ReadCount = row.ReadCount - readRemoved };
    }

    private void RaiseMarker(string userId, string convId, long readSeqId, long readCount)
    {
        Dictionary<string, InboxRow> convs = Convs(userId);
        InboxRow row = convs.TryGetValue(convId, out InboxRow found) ? found : new InboxRow(convId, 0, 0, 0, 0);
        if (readSeqId > row.ReadSeqId)
        {
            convs[convId] = row with { ReadSeqId = readSeqId, ReadCount = readCount };
        }
    }

    private void Replay(ReadOnlySpan<byte> body)
    {
        var reader = new RecordReader(body);
        byte kind = reader.ReadByte();
        if (kind is UserErasedRecord or ConversationErasedRecord)
        {
            Apply(kind, reader.ReadString());
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
            if (kind == MarkersRecord)
            {
                RaiseMarker(userId, convId, reader.ReadInt64(), reader.ReadInt64());
            }
            else if (kind == ActivityRecord)
            {
                AddActivity(userId, convId, reader.ReadInt64(), reader.ReadInt64(), 0);
            }
            else if (kind == ActivityWithRemovalsRecord)
            {
                AddActivity(userId, convId, reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64());
            }
            else
            {
                Convs(userId)[convId] = new InboxRow(convId, reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64());
            }
        }

        if (!reader.AtEnd)
        {
            throw new InvalidDataException("The record has trailing bytes.");
        }

        _appliedThrough = Math.Max(_appliedThrough, appliedThrough);
    }

    private void WriteSnapshot(SnapshotWriter writer)
    {
        StartRows();
        int count = 0;
        foreach (KeyValuePair<string, Dictionary<string, InboxRow>> user in _users)
        {
            foreach (InboxRow row in user.Value.Values)
            {
                _record.WriteString(user.Key);
                _record.WriteString(row.ConvId);
                _record.WriteInt64(row.LastSeqId);
                _record.WriteInt64(row.Count);
                _record.WriteInt64(row.ReadSeqId);
                _record.WriteInt64(row.ReadCount);
                count++;
                if (_record.Length >= SnapshotChunkBytes)
                {
                    _record.PatchInt32(1 + sizeof(long), count);
                    writer.Write(_record.WrittenSpan);
                    StartRows();
                    count = 0;
                }
            }
        }

        _record.PatchInt32(1 + sizeof(long), count);
        writer.Write(_record.WrittenSpan);
    }

    private void StartRows()
    {
        _record.Clear();
        _record.WriteByte(RowsRecord);
        _record.WriteInt64(_appliedThrough);
        _record.WriteInt32(0);
    }
}
