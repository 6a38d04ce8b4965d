namespace BlockStore.Providers.File;

/// <summary>
/// The timeline metadata of a data set written before the key directory table existed, read once to migrate it:
/// <c>meta/timelines.snapshot</c> plus <c>meta/timelines.log</c> (see <see cref="SnapshotLog"/>), records little endian,
/// strings as UTF-8 length u16 + bytes:
/// register = 1 u8 | count i32 | count × (kind u8, id);
/// commit = 3 u8 | journal keep-from i64 | count i32 | count × (kind u8, timeline id, block record offset i64, entry count i32,
/// first seq i64, last seq i64, last timestamp i64);
/// directory = 4 u8 | count i32 | count × (kind u8, timeline id, newest block record offset i64, blocks i32, entries i64, last seq i64);
/// high-water = 5 u8 | largest SeqId i64 | latest timestamp i64;
/// replace = 6 u8 | kind u8, timeline id, the timeline's new directory entry (as in directory);
/// delete = 7 u8 | kind u8, timeline id.
/// Data sets written before the block index existed hold legacy commits instead (2 u8 | keep-from i64 | count i32 | count ×
/// (kind u8, timeline id, first seq i64, last seq i64, first timestamp i64, last timestamp i64, entry count i32, store id i64,
/// offset i64, size i32, created Unix ms i64)): their block lists, which the migration writes into the block index.
/// </summary>
internal sealed class LegacyTimelineMetadata
{
    private const byte RegisterRecord = 1;
    private const byte LegacyCommitRecord = 2;
    private const byte CommitRecord = 3;
    private const byte DirectoryRecord = 4;
    private const byte HighWaterRecord = 5;
    private const byte ReplaceRecord = 6;
    private const byte DeleteRecord = 7;

    private LegacyTimelineMetadata()
    {
    }

    /// <summary>Every timeline and its directory entry.</summary>
    public Dictionary<TimelineKey, DirectoryEntry> Timelines { get; } = [];

    /// <summary>The block lists of a data set written before the block index existed, sorted by SeqId; null otherwise.</summary>
    public Dictionary<TimelineKey, List<BlockEntry>>? Blocks { get; private set; }

    /// <summary>The smallest journal record id still needed.</summary>
    public long KeepFrom { get; private set; }

    /// <summary>The largest SeqId recorded.</summary>
    public long MaxSeqId { get; private set; }

    /// <summary>The latest timestamp recorded.</summary>
    public long MaxTimestamp { get; private set; }

    /// <summary>Whether <paramref name="metaDir"/> holds metadata of this format.</summary>
    public static bool Exists(string metaDir) =>
        System.IO.File.Exists(SnapshotPath(metaDir)) || System.IO.File.Exists(LogPath(metaDir));

    /// <summary>Reads the metadata in <paramref name="metaDir"/>.</summary>
    public static LegacyTimelineMetadata Load(string metaDir, Durability durability)
    {
        var metadata = new LegacyTimelineMetadata();
        using (SnapshotLog.Open(metaDir, FileLayout.TimelinesName, FileKind.TimelineSnapshot, FileKind.TimelineLog, durability, long.MaxValue, metadata.Replay))
        {
            return metadata;
        }
    }

    /// <summary>Deletes the files of this format from <paramref name="metaDir"/>, the log first, durably.</summary>
    public static void Delete(string metaDir, Durability durability)
    {
        FileIo.Current.Delete(LogPath(metaDir));
        FileIo.Current.Delete(SnapshotPath(metaDir));
        DurableFiles.SyncDirectory(metaDir, durability);
    }

    /// <summary>Moves a timeline's entry to a block whose record is at <paramref name="offset"/>; a block recorded already is ignored.</summary>
    public void Committed(TimelineKey key, long offset, int count, long firstSeqId, long lastSeqId)
    {
        DirectoryEntry entry = Timelines.GetValueOrDefault(key);
        if ((entry.Blocks > 0 || entry.LastSeqId > 0) && firstSeqId <= entry.LastSeqId)
        {
            return;
        }

        Timelines[key] = new DirectoryEntry(offset, entry.Blocks + 1, entry.Entries + count, lastSeqId);
        MaxSeqId = Math.Max(MaxSeqId, lastSeqId);
    }

    private static string SnapshotPath(string metaDir) => Path.Combine(metaDir, FileLayout.TimelinesName + ".snapshot");

    private static string LogPath(string metaDir) => Path.Combine(metaDir, FileLayout.TimelinesName + ".log");

    private void Replay(ReadOnlySpan<byte> body)
    {
        var reader = new RecordReader(body);
        byte type = reader.ReadByte();
        switch (type)
        {
            case RegisterRecord:
                for (int i = ReadCount(ref reader); i > 0; i--)
                {
                    Timelines.TryAdd(ReadKey(ref reader), default);
                }

                break;
            case CommitRecord:
                KeepFrom = Math.Max(KeepFrom, reader.ReadInt64());
                for (int i = ReadCount(ref reader); i > 0; i--)
                {
                    TimelineKey key = ReadKey(ref reader);
                    long offset = reader.ReadInt64();
                    int count = reader.ReadInt32();
                    long firstSeqId = reader.ReadInt64();
                    long lastSeqId = reader.ReadInt64();
                    Committed(key, offset, count, firstSeqId, lastSeqId);
                    MaxTimestamp = Math.Max(MaxTimestamp, reader.ReadInt64());
                }

                break;
            case DirectoryRecord:
                for (int i = ReadCount(ref reader); i > 0; i--)
                {
                    TimelineKey key = ReadKey(ref reader);
                    DirectoryEntry entry = ReadDirectoryEntry(ref reader, key);
                    if (!Timelines.TryAdd(key, entry))
                    {
                        throw new InvalidDataException($"The directory entry of {key.Kind} '{key.Id}' is repeated.");
                    }

                    MaxSeqId = Math.Max(MaxSeqId, entry.LastSeqId);
                }

                break;
            case HighWaterRecord:
                MaxSeqId = Math.Max(MaxSeqId, reader.ReadInt64());
                MaxTimestamp = Math.Max(MaxTimestamp, reader.ReadInt64());
                break;
            case ReplaceRecord:
            {
                TimelineKey key = ReadKey(ref reader);
                DirectoryEntry entry = ReadDirectoryEntry(ref reader, key);
                Timelines[key] = Timelines.ContainsKey(key)
                    ? entry
                    : throw new InvalidDataException($"The {key.Kind} timeline '{key.Id}' is replaced but not registered.");
                break;
            }

            case DeleteRecord:
                Timelines.Remove(ReadKey(ref reader));
                break;
            case LegacyCommitRecord:
                KeepFrom = Math.Max(KeepFrom, reader.ReadInt64());
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

    /// <summary>Adds a block to a legacy list, kept sorted; a block sealed again after a failed commit replaces the first copy.</summary>
    private void AddLegacyBlock(TimelineKey key, BlockEntry entry)
    {
        Timelines.TryAdd(key, default);
        MaxSeqId = Math.Max(MaxSeqId, entry.LastSeqId);
        MaxTimestamp = Math.Max(MaxTimestamp, entry.LastTimestamp);
        Blocks ??= [];
        if (!Blocks.TryGetValue(key, out List<BlockEntry>? entries))
        {
            Blocks[key] = entries = [];
        }

        if (entries.Count == 0 || entries[^1].FirstSeqId < entry.FirstSeqId)
        {
            entries.Add(entry);
            return;
        }

        int low = 0;
        int high = entries.Count - 1;
        while (low <= high)
        {
            int mid = (low + high) >>> 1;
            long first = entries[mid].FirstSeqId;
            if (first == entry.FirstSeqId)
            {
                entries[mid] = entry;
                return;
            }

            if (first < entry.FirstSeqId)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        entries.Insert(low, entry);
    }

    private static DirectoryEntry ReadDirectoryEntry(ref RecordReader reader, TimelineKey key)
    {
        var entry = new DirectoryEntry(reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt64());
        return entry.IsValid ? entry : throw new InvalidDataException($"The directory entry of {key.Kind} '{key.Id}' is invalid.");
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
