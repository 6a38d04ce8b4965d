using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace BlockStore.Providers.File;

/// <summary>
/// The on-disk index of sealed blocks, <c>meta/timelines.blocks</c>: after the header, an append-only sequence of CRC-framed
/// block records of <see cref="FrameSize"/> bytes, each pointing at the record of the previous block of its timeline, so a
/// timeline's blocks form a chain that starts at its newest. Records are written and flushed before the metadata log record
/// that makes them reachable; a record nothing reaches (left by a crash or a failed commit) is never read.
/// Record body (little endian, <see cref="BodySize"/> bytes): previous record offset i64 (0 = none) | first seq i64 |
/// last seq i64 | first timestamp i64 | last timestamp i64 | entry count i32 | store id i64 | offset i64 | size i32 |
/// created Unix ms i64.
/// </summary>
internal sealed class BlockIndexFile : IDisposable
{
    public const int BodySize = 76;

    public const int FrameSize = RecordFrame.HeaderSize + BodySize;

    private readonly string _path;
    private readonly SafeFileHandle _handle;
    private readonly Durability _durability;
    private long _length;
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

    /// <summary>The offset the record <paramref name="index"/> places after the end will get in the next <see cref="Append"/> (writer only).</summary>
    public long NextOffset(int index) => _length + ((long)index * FrameSize);

    /// <summary>Appends records at <see cref="NextOffset"/> 0, 1, ... and makes them durable as the <see cref="Durability"/> requires (writer only).</summary>
    /// <remarks>If the write fails, its partial bytes are cut off now or before the next append.</remarks>
    public void Append(ReadOnlySpan<(long Previous, BlockEntry Entry)> records)
    {
        if (records.IsEmpty)
        {
            return;
        }

        if (_torn)
        {
            RandomAccess.SetLength(_handle, _length);
            _torn = false;
        }

        var bytes = new byte[records.Length * FrameSize];
        for (int i = 0; i < records.Length; i++)
        {
            Span<byte> frame = bytes.AsSpan(i * FrameSize, FrameSize);
            Span<byte> body = frame[RecordFrame.HeaderSize..];
            (long previous, BlockEntry entry) = records[i];
            BinaryPrimitives.WriteInt64LittleEndian(body, previous);
            BinaryPrimitives.WriteInt64LittleEndian(body[8..], entry.FirstSeqId);
            BinaryPrimitives.WriteInt64LittleEndian(body[16..], entry.LastSeqId);
            BinaryPrimitives.WriteInt64LittleEndian(body[24..], entry.FirstTimestamp);
            BinaryPrimitives.WriteInt64LittleEndian(body[32..], entry.LastTimestamp);
            BinaryPrimitives.WriteInt32LittleEndian(body[40..], entry.Count);
            BinaryPrimitives.WriteInt64LittleEndian(body[44..], entry.Location.StoreId);
            BinaryPrimitives.WriteInt64LittleEndian(body[52..], entry.Location.Offset);
            BinaryPrimitives.WriteInt32LittleEndian(body[60..], entry.Location.Size);
            BinaryPrimitives.WriteInt64LittleEndian(body[64..], entry.Location.CreatedAt.ToUnixTimeMilliseconds());
            RecordFrame.WriteHeader(frame, body, []);
        }

        try
        {
            RandomAccess.Write(_handle, bytes, _length);
            DurableFiles.Flush(_handle, _durability);
            _length += bytes.Length;
        }
        catch
        {
            _torn = true;
            throw;
        }
    }

    /// <summary>Reads the record at <paramref name="offset"/> (any thread); a damaged one throws <see cref="BlockStoreException"/> naming the file.</summary>
    public (long Previous, BlockEntry Entry) Read(long offset)
    {
        Span<byte> frame = stackalloc byte[FrameSize];
        int read = 0;
        while (read < FrameSize)
        {
            int n = offset < FileHeader.Size ? 0 : RandomAccess.Read(_handle, frame[read..], offset + read);
            if (n == 0)
            {
                throw Damaged(offset, "it lies past the end of the file");
            }

            read += n;
        }

        ReadOnlySpan<byte> body = frame[RecordFrame.HeaderSize..];
        if (RecordFrame.BodyLength(frame) != BodySize || !RecordFrame.IsValid(frame, body))
        {
            throw Damaged(offset, "its checksum does not match");
        }

        long previous = BinaryPrimitives.ReadInt64LittleEndian(body);
        var location = new StoreIndex(
            BinaryPrimitives.ReadInt64LittleEndian(body[44..]),
            BinaryPrimitives.ReadInt64LittleEndian(body[52..]),
            BinaryPrimitives.ReadInt32LittleEndian(body[60..]),
            DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(body[64..])));
        var entry = new BlockEntry(
            BinaryPrimitives.ReadInt64LittleEndian(body[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(body[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(body[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(body[32..]),
            BinaryPrimitives.ReadInt32LittleEndian(body[40..]),
            location);
        if (previous != 0 && (previous < FileHeader.Size || previous >= offset))
        {
            throw Damaged(offset, $"it points back to offset {previous}");
        }

        return (previous, entry);
    }

    public void Dispose() => _handle.Dispose();

    private BlockStoreException Damaged(long offset, string why) =>
        new($"The BlockStore timeline block index '{_path}' is damaged: the block record at offset {offset} cannot be read ({why}).");
}
