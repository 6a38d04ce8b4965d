namespace BlockStore.Providers.File;

/// <summary>
/// Timeline metadata records (little endian, strings as UTF-8 length u16 + bytes):
/// register = 1 u8 | count i32 | count × (kind u8, id);
/// commit = 3 u8 | journal keep-from i64 | count i32 | count × (kind u8, timeline id, block record offset i64, entry count i32,
/// first seq i64, last seq i64, last timestamp i64);
/// directory = 4 u8 | count i32 | count × (kind u8, timeline id, newest block record offset i64, blocks i32, entries i64, last seq i64);
/// high-water = 5 u8 | largest SeqId i64 | latest timestamp i64;
/// replace = 6 u8 | kind u8, timeline id, the timeline's new directory entry (newest block record offset i64, blocks i32,
/// entries i64, last seq i64);
/// delete = 7 u8 | kind u8, timeline id.
/// A snapshot holds a commit with the keep-from and no blocks, the high-water marks, then the directory in chunks.
/// Data sets written before the block index existed hold legacy commits instead (2 u8 | keep-from i64 | count i32 | count ×
/// (kind u8, timeline id, first seq i64, last seq i64, first timestamp i64, last timestamp i64, entry count i32, store id i64,
/// offset i64, size i32, created Unix ms i64)); opening migrates them into the block index and rewrites the snapshot.
/// </summary>
internal sealed partial class FileTimelineRepository
{
    private const byte RegisterRecord = 1;
    private const byte LegacyCommitRecord = 2;
    private const byte CommitRecord = 3;
    private const byte DirectoryRecord = 4;
    private const byte HighWaterRecord = 5;
    private const byte ReplaceRecord = 6;
    private const byte DeleteRecord = 7;

    /// <summary>Applies one record read back from the snapshot or the log.</summary>
    private void Replay(ReadOnlySpan<byte> body)
    {
        var reader = new RecordReader(body);
        byte type = reader.ReadByte();
        switch (type)
        {
            case RegisterRecord:
                for (int i = ReadCount(ref reader); i > 0; i--)
                {
                    Registered(ReadKey(ref reader));
                }

                break;
            case CommitRecord:
                _keepFrom = Math.Max(_keepFrom, reader.ReadInt64());
                for (int i = ReadCount(ref reader); i > 0; i--)
                {
                    TimelineKey key = ReadKey(ref reader);
                    long offset = reader.ReadInt64();
                    int count = reader.ReadInt32();
                    long firstSeqId = reader.ReadInt64();
                    long lastSeqId = reader.ReadInt64();
                    Committed(key, offset, count, firstSeqId, lastSeqId, reader.ReadInt64());
                }

                break;
            case DirectoryRecord:
                for (int i = ReadCount(ref reader); i > 0; i--)
                {
                    TimelineKey key = ReadKey(ref reader);
                    DirectoryEntry entry = ReadDirectoryEntry(ref reader, key);
                    if (!_timelines.TryAdd(key, entry))
                    {
                        throw new InvalidDataException($"The directory entry of {key.Kind} '{key.Id}' is repeated.");
                    }

                    TimelineAdded(key);
                    DirectoryLoaded(key, entry);
                }

                break;
            case HighWaterRecord:
                HighWater(reader.ReadInt64(), reader.ReadInt64());
                break;
            case ReplaceRecord:
            {
                TimelineKey key = ReadKey(ref reader);
                Replaced(key, ReadDirectoryEntry(ref reader, key));
                break;
            }

            case DeleteRecord:
                Deleted(ReadKey(ref reader));
                break;
            case LegacyCommitRecord:
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
                    AddLegacyBlock(key, entry);
                }

                break;
            default:
                throw new InvalidDataException($"Unknown record type {type}.");
        }

        if (!reader.AtEnd)
        {
            throw new InvalidDataException("The record has trailing bytes.");
        }
    }

    /// <summary>Writes the whole state as records: the trim point, the high-water marks, then the directory.</summary>
    private void WriteSnapshot(SnapshotWriter writer)
    {
        _record.Clear();
        _record.WriteByte(CommitRecord);
        _record.WriteInt64(_keepFrom);
        _record.WriteInt32(0);
        writer.Write(_record.WrittenSpan);

        _record.Clear();
        _record.WriteByte(HighWaterRecord);
        _record.WriteInt64(_maxSeqId);
        _record.WriteInt64(_maxTimestamp);
        writer.Write(_record.WrittenSpan);

        var chunks = new SnapshotChunks(writer, _record, DirectoryRecord);
        foreach (KeyValuePair<TimelineKey, DirectoryEntry> pair in _timelines)
        {
            WriteKey(pair.Key);
            WriteDirectoryEntry(pair.Value);
            chunks.Added();
        }

        chunks.Finish();
    }

    private static void ValidateKey(TimelineKey key)
    {
        if (key.Kind is not (TimelineKind.Conversation or TimelineKind.User))
        {
            throw new ArgumentOutOfRangeException(nameof(key), key.Kind, "Unknown timeline kind.");
        }

        ArgumentNullException.ThrowIfNull(key.Id, nameof(key));
    }

    private void WriteKey(TimelineKey key)
    {
        ValidateKey(key);
        _record.WriteByte((byte)key.Kind);
        _record.WriteString(key.Id);
    }

    private void WriteDirectoryEntry(DirectoryEntry entry)
    {
        _record.WriteInt64(entry.Head);
        _record.WriteInt32(entry.Blocks);
        _record.WriteInt64(entry.Entries);
        _record.WriteInt64(entry.LastSeqId);
    }

    private static DirectoryEntry ReadDirectoryEntry(ref RecordReader reader, TimelineKey key)
    {
        var entry = new DirectoryEntry(reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt64());
        return entry.Blocks >= 0 && (entry.Head == 0) == (entry.Blocks == 0)
            ? entry
            : throw new InvalidDataException($"The directory entry of {key.Kind} '{key.Id}' is invalid.");
    }

    /// <summary>Writes one block of a commit record: its timeline, where its block record is, and what the directory needs of it.</summary>
    private void WriteCommitted(TimelineKey key, long offset, BlockEntry entry)
    {
        WriteKey(key);
        _record.WriteInt64(offset);
        _record.WriteInt32(entry.Count);
        _record.WriteInt64(entry.FirstSeqId);
        _record.WriteInt64(entry.LastSeqId);
        _record.WriteInt64(entry.LastTimestamp);
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
