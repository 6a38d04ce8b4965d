using System.Collections.Concurrent;

namespace BlockStore.Providers.File;

/// <summary>
/// Checkpoints in <c>meta/checkpoints.snapshot</c> plus <c>meta/checkpoints.log</c> (see <see cref="SnapshotLog"/>), served from
/// memory so reads never touch the disk or wait for a save. A record (little endian): count i32 | count × (user id as UTF-8
/// length u16 + bytes, checkpoint i64), or a removal: -1 i32 | user id. A save never lowers a stored value. A removed user's id
/// stays in the log until the next snapshot, which <see cref="Reclaim"/> writes.
/// </summary>
internal sealed class FileCheckpointStore : ICheckpointStore, IDisposable
{
    private const int DeleteRecord = -1;

    private readonly ConcurrentDictionary<string, long> _checkpoints = new(StringComparer.Ordinal);
    private readonly Lock _writeLock = new();
    private readonly RecordBuffer _record = new();
    private readonly SnapshotSource _snapshotSource;
    private SnapshotLog _log = null!;

    /// <summary>Whether a removal was logged since the last snapshot, so the log still holds a removed user's id.</summary>
    private bool _removedSinceSnapshot;

    private FileCheckpointStore() => _snapshotSource = WriteSnapshot;

    /// <summary>Loads the checkpoints from <c>meta/</c> under <paramref name="dataDir"/>.</summary>
    public static FileCheckpointStore Open(string dataDir, Durability durability, long snapshotThreshold)
    {
        var store = new FileCheckpointStore();
        try
        {
            store._log = SnapshotLog.Open(
                Path.Combine(dataDir, FileLayout.MetaDir), FileLayout.CheckpointsName, FileKind.CheckpointSnapshot, FileKind.CheckpointLog, durability, snapshotThreshold, store.Replay);
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    public ValueTask<long> GetAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        return ValueTask.FromResult(_checkpoints.TryGetValue(userId, out long seq) ? seq : 0);
    }

    public ValueTask SaveAsync(IReadOnlyList<KeyValuePair<string, long>> checkpoints, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        cancellationToken.ThrowIfCancellationRequested();
        if (checkpoints.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        lock (_writeLock)
        {
            _record.Clear();
            _record.WriteInt32(checkpoints.Count);
            for (int i = 0; i < checkpoints.Count; i++)
            {
                KeyValuePair<string, long> pair = checkpoints[i];
                ArgumentNullException.ThrowIfNull(pair.Key, nameof(checkpoints));
                _record.WriteString(pair.Key);
                _record.WriteInt64(pair.Value);
            }

            _log.Append(_record.WrittenSpan);
            for (int i = 0; i < checkpoints.Count; i++)
            {
                Raise(checkpoints[i].Key, checkpoints[i].Value);
            }

            _log.CompactIfDue(_snapshotSource);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DeleteAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            if (!_checkpoints.ContainsKey(userId))
            {
                return ValueTask.CompletedTask;
            }

            _record.Clear();
            _record.WriteInt32(DeleteRecord);
            _record.WriteString(userId);
            _log.Append(_record.WrittenSpan);
            _checkpoints.TryRemove(userId, out _);
            _removedSinceSnapshot = true;
            _log.CompactIfDue(_snapshotSource);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Writes a new snapshot when a removal was logged since the last one, so no file keeps a removed user's id or checkpoint.</summary>
    public void Reclaim()
    {
        lock (_writeLock)
        {
            if (_removedSinceSnapshot)
            {
                _log.Compact(_snapshotSource);
                _removedSinceSnapshot = false;
            }
        }
    }

    public void Dispose()
    {
        lock (_writeLock)
        {
            _log?.Dispose();
            _record.Dispose();
        }
    }

    private void Raise(string userId, long seq) =>
        _checkpoints.AddOrUpdate(userId, static (_, next) => next, static (_, current, next) => Math.Max(current, next), seq);

    private void Replay(ReadOnlySpan<byte> body)
    {
        var reader = new RecordReader(body);
        int count = reader.ReadInt32();
        if (count == DeleteRecord)
        {
            _checkpoints.TryRemove(reader.ReadString(), out _);
            _removedSinceSnapshot = true;
            count = 0;
        }
        else if (count < 0)
        {
            throw new InvalidDataException($"Negative count {count}.");
        }

        for (int i = 0; i < count; i++)
        {
            string userId = reader.ReadString();
            Raise(userId, reader.ReadInt64());
        }

        if (!reader.AtEnd)
        {
            throw new InvalidDataException("The record has trailing bytes.");
        }
    }

    private void WriteSnapshot(SnapshotWriter writer)
    {
        var chunks = new SnapshotChunks(writer, _record);
        foreach (KeyValuePair<string, long> pair in _checkpoints)
        {
            _record.WriteString(pair.Key);
            _record.WriteInt64(pair.Value);
            chunks.Added();
        }

        chunks.Finish();
    }
}
