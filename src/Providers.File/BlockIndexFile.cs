using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace BlockStore.Providers.File;

/// <summary>
/// The on-disk index of sealed blocks, <c>meta/timelines.blocks</c>: after the header, an append-only sequence of CRC-framed
/// block records, each pointing at the record of the previous block of its timeline, so a timeline's blocks form a chain that
/// starts at its newest. Each record also holds a skip link to an older record of its chain, chosen as in Myers' skew-binary
/// random-access lists, so the newest block matching any bound that holds for a prefix of the chain (a SeqId, a time, a
/// position) is found in O(log n) record reads rather than by walking the chain. Records are written and flushed before the
/// key directory change that makes them reachable; a record nothing reaches (left by a crash or a failed commit) is never read.
/// Record body (little endian, <see cref="BodySize"/> bytes): previous record offset i64 (0 = none) | jump record offset i64
/// (0 = none) | position i32 | jump position i32 | first seq i64 | last seq i64 | first timestamp i64 | last timestamp i64 |
/// entry count i32 | store id i64 | offset i64 | size i32 | created Unix ms i64. Records written before skip links existed have a
/// <see cref="LegacyBodySize"/>-byte body, the same without the jump and the positions; they read as jumping to their previous.
/// </summary>
internal sealed class BlockIndexFile : IDisposable
{
    /// <summary>The body size of a record with skip links.</summary>
    public const int BodySize = 88;

    /// <summary>The body size of a record written before skip links existed.</summary>
    public const int LegacyBodySize = 76;

    /// <summary>The size of a record with skip links, frame included.</summary>
    public const int FrameSize = RecordFrame.HeaderSize + BodySize;

    private readonly string _path;
    private readonly SafeFileHandle _handle;
    private readonly Durability _durability;
    private long _length;
    private long _recordsRead;
    private bool _torn;

    private BlockIndexFile(string path, SafeFileHandle handle, Durability durability, long length)
    {
        _path = path;
        _handle = handle;
        _durability = durability;
        _length = length;
    }

    /// <summary>The file's path, for messages.</summary>
    public string Path => _path;

    /// <summary>Opens the index file, creating it when absent.</summary>
    public static BlockIndexFile Open(string path, Durability durability)
    {
        if (!System.IO.File.Exists(path))
        {
            SafeFileHandle created = DurableFiles.CreateWithHeader(path, FileHeader.Create(FileKind.TimelineBlocks, 0), durability);
            return new BlockIndexFile(path, created, durability, FileHeader.Size);
        }

        SafeFileHandle handle = DurableFiles.OpenExisting(path);
        try
        {
            FileHeader.Read(handle, path, FileKind.TimelineBlocks);
            return new BlockIndexFile(path, handle, durability, RandomAccess.GetLength(handle));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>How many records have been read since open (a lookup's cost, for tests).</summary>
    public long RecordsRead => Interlocked.Read(ref _recordsRead);

    /// <summary>Starts staging records to append after the current end (writer only).</summary>
    public BlockIndexBatch BeginAppend() => new(this, _length);

    /// <summary>Appends the records of <paramref name="batch"/> and makes them durable as the <see cref="Durability"/> requires (writer only).</summary>
    /// <remarks>If the write fails, its partial bytes are cut off now or before the next append.</remarks>
    public void Append(BlockIndexBatch batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        if (_torn)
        {
            FileIo.Current.SetLength(_handle, _length);
            _torn = false;
        }

        if (batch.Start != _length)
        {
            throw new InvalidOperationException("The batch was staged before another append.");
        }

        var bytes = new byte[batch.Count * FrameSize];
        for (int i = 0; i < batch.Count; i++)
        {
            Span<byte> frame = bytes.AsSpan(i * FrameSize, FrameSize);
            Span<byte> body = frame[RecordFrame.HeaderSize..];
            IndexRecord record = batch.Records[i];
            BlockEntry entry = record.Entry;
            BinaryPrimitives.WriteInt64LittleEndian(body, record.Previous);
            BinaryPrimitives.WriteInt64LittleEndian(body[8..], record.Jump);
            BinaryPrimitives.WriteInt32LittleEndian(body[16..], record.Position);
            BinaryPrimitives.WriteInt32LittleEndian(body[20..], record.JumpPosition);
            WriteEntry(body[24..], entry);
            RecordFrame.WriteHeader(frame, body, []);
        }

        try
        {
            FileIo.Current.Write(_handle, bytes, _length);
            DurableFiles.Flush(_handle, _durability);
            _length += bytes.Length;
        }
        catch
        {
            _torn = true;
            throw;
        }
    }

    /// <summary>
    /// Reads the record at <paramref name="offset"/>, which its chain places at <paramref name="position"/> (any thread); a
    /// damaged one, or one whose links do not fit that place, throws <see cref="BlockStoreException"/> naming the file.
    /// </summary>
    public IndexRecord Read(long offset, int position)
    {
        Interlocked.Increment(ref _recordsRead);
        Span<byte> frame = stackalloc byte[FrameSize];
        int read = 0;
        while (read < FrameSize)
        {
            int n = offset < FileHeader.Size ? 0 : RandomAccess.Read(_handle, frame[read..], offset + read);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        uint bodyLength = read < RecordFrame.HeaderSize ? 0 : RecordFrame.BodyLength(frame);
        if (read < RecordFrame.HeaderSize || (bodyLength is BodySize or LegacyBodySize && read < RecordFrame.HeaderSize + (int)bodyLength))
        {
            throw Damaged(offset, "it lies past the end of the file");
        }

        if (bodyLength is not (BodySize or LegacyBodySize) || !RecordFrame.IsValid(frame, frame.Slice(RecordFrame.HeaderSize, (int)bodyLength)))
        {
            throw Damaged(offset, "its checksum does not match");
        }

        ReadOnlySpan<byte> body = frame.Slice(RecordFrame.HeaderSize, (int)bodyLength);
        long previous = BinaryPrimitives.ReadInt64LittleEndian(body);
        IndexRecord record = bodyLength == LegacyBodySize
            ? new IndexRecord(previous, previous, position, position - 1, ReadEntry(body[8..]))
            : new IndexRecord(
                previous,
                BinaryPrimitives.ReadInt64LittleEndian(body[8..]),
                BinaryPrimitives.ReadInt32LittleEndian(body[16..]),
                BinaryPrimitives.ReadInt32LittleEndian(body[20..]),
                ReadEntry(body[24..]));
        if (previous != 0 && (previous < FileHeader.Size || previous >= offset))
        {
            throw Damaged(offset, $"it points back to offset {previous}");
        }

        if (record.Position != position || (previous == 0) != (position == 1) || (record.Jump == 0) != (record.JumpPosition == 0)
            || record.Jump > previous || record.JumpPosition >= position || record.JumpPosition < 0)
        {
            throw Damaged(offset, $"its links do not fit position {position} of its chain");
        }

        return record;
    }

    public void Dispose() => _handle.Dispose();

    private static void WriteEntry(Span<byte> destination, BlockEntry entry)
    {
        BinaryPrimitives.WriteInt64LittleEndian(destination, entry.FirstSeqId);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], entry.LastSeqId);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], entry.FirstTimestamp);
        BinaryPrimitives.WriteInt64LittleEndian(destination[24..], entry.LastTimestamp);
        BinaryPrimitives.WriteInt32LittleEndian(destination[32..], entry.Count);
        BinaryPrimitives.WriteInt64LittleEndian(destination[36..], entry.Location.StoreId);
        BinaryPrimitives.WriteInt64LittleEndian(destination[44..], entry.Location.Offset);
        BinaryPrimitives.WriteInt32LittleEndian(destination[52..], entry.Location.Size);
        BinaryPrimitives.WriteInt64LittleEndian(destination[56..], entry.Location.CreatedAt.ToUnixTimeMilliseconds());
    }

    private static BlockEntry ReadEntry(ReadOnlySpan<byte> source) =>
        new(
            BinaryPrimitives.ReadInt64LittleEndian(source),
            BinaryPrimitives.ReadInt64LittleEndian(source[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[24..]),
            BinaryPrimitives.ReadInt32LittleEndian(source[32..]),
            new StoreIndex(
                BinaryPrimitives.ReadInt64LittleEndian(source[36..]),
                BinaryPrimitives.ReadInt64LittleEndian(source[44..]),
                BinaryPrimitives.ReadInt32LittleEndian(source[52..]),
                DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(source[56..]))));

    private BlockStoreException Damaged(long offset, string why) =>
        new($"The BlockStore timeline block index '{_path}' is damaged: the block record at offset {offset} cannot be read ({why}).");
}
