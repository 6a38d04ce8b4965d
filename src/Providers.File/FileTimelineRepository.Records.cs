namespace BlockStore.Providers.File;

/// <summary>
/// Timeline metadata records (little endian, strings as UTF-8 length u16 + bytes):
/// register = 1 u8 | count i32 | count × (kind u8, id);
/// commit = 2 u8 | journal keep-from i64 | count i32 | count × (kind u8, timeline id, first seq i64, last seq i64,
/// first timestamp i64, last timestamp i64, entry count i32, store id i64, offset i64, size i32, created Unix ms i64).
/// A snapshot holds the same records: one commit with the keep-from and no blocks, then the whole state in chunks.
/// </summary>
internal sealed partial class FileTimelineRepository
{
    private const byte RegisterRecord = 1;
    private const byte CommitRecord = 2;
    private const int SnapshotChunkBytes = 64 * 1024;

    /// <summary>Applies one record read back from the snapshot or the log.</summary>
    private void Replay(ReadOnlySpan<byte> body)
    {
        var reader = new RecordReader(body);
        byte type = reader.ReadByte();
        if (type == RegisterRecord)
        {
            for (int i = ReadCount(ref reader); i > 0; i--)
            {
                TimelineKey key = ReadKey(ref reader);
                if (_timelines.TryAdd(key, null))
                {
                    TimelineAdded(key);
                }
            }
        }
        else if (type == CommitRecord)
        {
            _keepFrom = Math.Max(_keepFrom, reader.ReadInt64());
            for (int i = ReadCount(ref reader); i > 0; i--)
            {
                TimelineKey key = ReadKey(ref reader);
                var entry = new BlockEntry(
                    reader.ReadInt64(),
                    reader.ReadInt64(),
                    reader.ReadInt64(),
                    reader.ReadInt64(),
                    reader.ReadInt32(),
                    new StoreIndex(reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt32(), DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadInt64())));
                AddBlock(key, entry);
            }
        }
        else
        {
            throw new InvalidDataException($"Unknown record type {type}.");
        }

        if (!reader.AtEnd)
        {
            throw new InvalidDataException("The record has trailing bytes.");
        }
    }

    /// <summary>Writes the whole state as records: the trim point, timelines without blocks, then every timeline's blocks.</summary>
    private void WriteSnapshot(SnapshotWriter writer)
    {
        _record.Clear();
        _record.WriteByte(CommitRecord);
        _record.WriteInt64(_keepFrom);
        _record.WriteInt32(0);
        writer.Write(_record.WrittenSpan);

        int count = 0;
        StartChunk(RegisterRecord);
        foreach (KeyValuePair<TimelineKey, List<BlockEntry>?> pair in _timelines)
        {
            if (pair.Value is not { Count: > 0 })
            {
                WriteKey(pair.Key);
                count = EndChunkIfFull(writer, RegisterRecord, count + 1);
            }
        }

        FlushChunk(writer, RegisterRecord, count);
        count = 0;
        StartChunk(CommitRecord);
        foreach (KeyValuePair<TimelineKey, List<BlockEntry>?> pair in _timelines)
        {
            if (pair.Value is { Count: > 0 } entries)
            {
                foreach (BlockEntry entry in entries)
                {
                    WriteBlock(pair.Key, entry);
                    count = EndChunkIfFull(writer, CommitRecord, count + 1);
                }
            }
        }

        FlushChunk(writer, CommitRecord, count);
    }

    private void StartChunk(byte type)
    {
        _record.Clear();
        _record.WriteByte(type);
        if (type == CommitRecord)
        {
            _record.WriteInt64(_keepFrom);
        }

        _record.WriteInt32(0);
    }

    private int EndChunkIfFull(SnapshotWriter writer, byte type, int count)
    {
        if (_record.Length < SnapshotChunkBytes)
        {
            return count;
        }

        FlushChunk(writer, type, count);
        StartChunk(type);
        return 0;
    }

    private void FlushChunk(SnapshotWriter writer, byte type, int count)
    {
        if (count > 0)
        {
            _record.PatchInt32(type == CommitRecord ? 1 + sizeof(long) : 1, count);
            writer.Write(_record.WrittenSpan);
        }
    }

    private void WriteKey(TimelineKey key)
    {
        if (key.Kind is not (TimelineKind.Conversation or TimelineKind.User))
        {
            throw new ArgumentOutOfRangeException(nameof(key), key.Kind, "Unknown timeline kind.");
        }

        ArgumentNullException.ThrowIfNull(key.Id, nameof(key));
        _record.WriteByte((byte)key.Kind);
        _record.WriteString(key.Id);
    }

    private void WriteBlock(TimelineKey key, BlockEntry entry)
    {
        WriteKey(key);
        _record.WriteInt64(entry.FirstSeqId);
        _record.WriteInt64(entry.LastSeqId);
        _record.WriteInt64(entry.FirstTimestamp);
        _record.WriteInt64(entry.LastTimestamp);
        _record.WriteInt32(entry.Count);
        _record.WriteInt64(entry.Location.StoreId);
        _record.WriteInt64(entry.Location.Offset);
        _record.WriteInt32(entry.Location.Size);
        _record.WriteInt64(entry.Location.CreatedAt.ToUnixTimeMilliseconds());
    }

    private static int ReadCount(ref RecordReader reader)
    {
        int count = reader.ReadInt32();
        return count >= 0 ? count : throw new InvalidDataException($"Negative count {count}.");
    }

    private static TimelineKey ReadKey(ref RecordReader reader)
    {
        byte kind = reader.ReadByte();
        if (kind is not ((byte)TimelineKind.Conversation or (byte)TimelineKind.User))
        {
            throw new InvalidDataException($"Unknown timeline kind {kind}.");
        }

        return new TimelineKey((TimelineKind)kind, reader.ReadString());
    }
}
