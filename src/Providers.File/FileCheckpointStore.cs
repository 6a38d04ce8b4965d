using System.Collections.Concurrent;

namespace BlockStore.Providers.File;

/// <summary>
/// Checkpoints in <c>meta/checkpoints.snapshot</c> plus <c>meta/checkpoints.log</c> (see <see cref="SnapshotLog"/>), served from
/// memory so reads never touch the disk or wait for a save. A record (little endian): count i32 | count × (user id as UTF-8
/// length u16 + bytes, checkpoint i64). A save never lowers a stored value.
/// </summary>
internal sealed class FileCheckpointStore : ICheckpointStore, IDisposable
{
    private const int SnapshotChunkBytes = 64 * 1024;

    private readonly ConcurrentDictionary<string, long> _checkpoints = new(StringComparer.Ordinal);
    private readonly Lock _writeLock = new();
    private readonly RecordBuffer _record = new();
    private readonly SnapshotSource _snapshotSource;
    private SnapshotLog _log = null!;

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
        if (count < 0)
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
        _record.Clear();
        _record.WriteInt32(0);
        int count = 0;
        foreach (KeyValuePair<string, long> pair in _checkpoints)
        {
            _record.WriteString(pair.Key);
            _record.WriteInt64(pair.Value);
            count++;
            if (_record.Length >= SnapshotChunkBytes)
            {
                _record.PatchInt32(0, count);
                writer.Write(_record.WrittenSpan);
                _record.Clear();
                _record.WriteInt32(0);
                count = 0;
            }
        }

        if (count > 0)
        {
            _record.PatchInt32(0, count);
            writer.Write(_record.WrittenSpan);
        }
    }
}
