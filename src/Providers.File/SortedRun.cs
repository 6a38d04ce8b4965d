using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace BlockStore.Providers.File;

/// <summary>
/// The run file of a <see cref="SortedTable"/>: records sorted by key in fixed-size CRC-checked pages, with the page index (the
/// first key of each page) in a footer, so opening reads the header and the footer only and a lookup reads one page. Layout
/// (little endian): the <see cref="FileHeader"/> (its value is the generation) | <see cref="PageSize"/>-byte pages | the index,
/// one entry per page (first key length u16 + key) | the <see cref="TrailerSize"/>-byte trailer: index offset i64 | index length
/// i32 | page count i32 | record count i64 | page size i32 | CRC-32C u32 over the index and the 28 trailer bytes before it.
/// A page: CRC-32C u32 over the rest of the page | page number u32 | record count u16 | reserved u16 | records (key length u16 |
/// value length u16 | key | value), keys strictly increasing across the file | zeros to the end of the page.
/// </summary>
internal sealed class SortedRun : IDisposable
{
    /// <summary>The size of a page in bytes.</summary>
    public const int PageSize = 4096;

    /// <summary>The size of the trailer that ends the file.</summary>
    public const int TrailerSize = 32;

    /// <summary>The bytes a page spends before its records.</summary>
    public const int PageHeaderSize = 12;

    /// <summary>The bytes a record spends before its key.</summary>
    public const int RecordHeaderSize = 4;

    /// <summary>The largest key plus value a record can hold: one record must fit in a page.</summary>
    public const int MaxRecordBytes = PageSize - PageHeaderSize - RecordHeaderSize;

    private readonly string _path;
    private readonly FileKind _kind;
    private readonly SafeFileHandle _handle;
    private readonly RunIndex _index;

    private SortedRun(string path, FileKind kind, SafeFileHandle handle, RunIndex index)
    {
        _path = path;
        _kind = kind;
        _handle = handle;
        _index = index;
    }

    /// <summary>How many pages the run holds.</summary>
    public int PageCount => _index.Starts.Length - 1;

    /// <summary>How many records the run holds.</summary>
    public long RecordCount => _index.Records;

    /// <summary>The bytes the page index takes in memory.</summary>
    public long IndexBytes => _index.FirstKeys.Length + ((long)_index.Starts.Length * sizeof(int));

    /// <summary>Refuses a key or value that a page cannot hold, or an empty key, naming the parameter.</summary>
    public static void CheckRecord(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (key.IsEmpty)
        {
            throw new ArgumentException("A key cannot be empty.", nameof(key));
        }

        if (key.Length > MaxRecordBytes)
        {
            throw new ArgumentException($"The key is {key.Length} bytes; at most {MaxRecordBytes} fit in a page.", nameof(key));
        }

        if (key.Length + value.Length > MaxRecordBytes)
        {
            throw new ArgumentException(
                $"The key and value are {key.Length + value.Length} bytes together; at most {MaxRecordBytes} fit in a page.", nameof(value));
        }
    }

    /// <summary>Opens a run file, reading its header and footer only; returns it with its generation.</summary>
    public static (SortedRun Run, long Generation) Open(string path, FileKind kind)
    {
        SafeFileHandle handle = System.IO.File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            long generation = FileHeader.Read(handle, path, kind).Value;
            RunIndex index = ReadIndex(handle, path, kind);
            return (new SortedRun(path, kind, handle, index), generation);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The same run read through a handle of its own, for a scan that outlives the table's lock.</summary>
    public SortedRun Reopen() =>
        new(_path, _kind, System.IO.File.OpenHandle(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), _index);

    /// <summary>The page whose key range may hold <paramref name="key"/>: the last whose first key is not above it, or -1.</summary>
    public int FindPage(ReadOnlySpan<byte> key)
    {
        int low = 0;
        int high = PageCount - 1;
        while (low <= high)
        {
            int mid = (low + high) >>> 1;
            if (FirstKey(mid).SequenceCompareTo(key) <= 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return low - 1;
    }

    /// <summary>Reads page <paramref name="page"/> into <paramref name="buffer"/> and checks it; a damaged page throws naming the file and offset.</summary>
    public PageCursor ReadPage(int page, byte[] buffer)
    {
        long offset = FileHeader.Size + ((long)page * PageSize);
        Span<byte> bytes = buffer.AsSpan(0, PageSize);
        int read = 0;
        while (read < PageSize)
        {
            int n = RandomAccess.Read(_handle, bytes[read..], offset + read);
            if (n == 0)
            {
                throw Damaged(offset, "it lies past the end of the file");
            }

            read += n;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Crc32C.Compute(bytes[4..]))
        {
            throw Damaged(offset, "its checksum does not match");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]) != (uint)page)
        {
            throw Damaged(offset, "it carries the number of another page");
        }

        int count = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]);
        var cursor = new PageCursor(buffer, count);
        ReadOnlySpan<byte> previous = FirstKey(page);
        for (int i = 0; i < count; i++)
        {
            if (!cursor.MoveNext())
            {
                throw Damaged(offset, $"record {i} runs past the end of the page");
            }

            int order = cursor.Key.SequenceCompareTo(previous);
            if (i == 0 ? order != 0 : order <= 0)
            {
                throw Damaged(offset, $"record {i} is out of order");
            }

            previous = cursor.Key;
        }

        if (count == 0)
        {
            throw Damaged(offset, "it holds no record");
        }

        return new PageCursor(buffer, count);
    }

    public void Dispose() => _handle.Dispose();

    private ReadOnlySpan<byte> FirstKey(int page) => _index.FirstKeys.AsSpan(_index.Starts[page], _index.Starts[page + 1] - _index.Starts[page]);

    private BlockStoreException Damaged(long offset, string why) =>
        FileHeader.Refuse(_path, _kind, $"the page at offset {offset} is damaged ({why})");

    private static RunIndex ReadIndex(SafeFileHandle handle, string path, FileKind kind)
    {
        long length = RandomAccess.GetLength(handle);
        if (length < FileHeader.Size + TrailerSize)
        {
            throw FileHeader.Refuse(path, kind, $"it is {length} bytes long, too short to end with its {TrailerSize}-byte footer");
        }

        Span<byte> trailer = stackalloc byte[TrailerSize];
        RandomAccess.Read(handle, trailer, length - TrailerSize);
        long indexOffset = BinaryPrimitives.ReadInt64LittleEndian(trailer);
        int indexLength = BinaryPrimitives.ReadInt32LittleEndian(trailer[8..]);
        int pages = BinaryPrimitives.ReadInt32LittleEndian(trailer[12..]);
        long records = BinaryPrimitives.ReadInt64LittleEndian(trailer[16..]);
        int pageSize = BinaryPrimitives.ReadInt32LittleEndian(trailer[24..]);
        if (pageSize != PageSize || pages < 0 || indexLength < 0 || indexOffset != FileHeader.Size + ((long)pages * PageSize)
            || indexOffset + indexLength != length - TrailerSize)
        {
            throw FileHeader.Refuse(path, kind, $"its footer at offset {length - TrailerSize} is damaged (its sizes do not fit the file)");
        }

        byte[] index = new byte[indexLength];
        if (RandomAccess.Read(handle, index, indexOffset) != indexLength
            || BinaryPrimitives.ReadUInt32LittleEndian(trailer[28..]) != Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Seed, index), trailer[..28])))
        {
            throw FileHeader.Refuse(path, kind, $"its footer at offset {indexOffset} is damaged (checksum mismatch)");
        }

        byte[] firstKeys = new byte[indexLength - (pages * sizeof(ushort))];
        int[] starts = new int[pages + 1];
        int at = 0;
        int written = 0;
        for (int page = 0; page < pages; page++)
        {
            int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(index.AsSpan(at));
            index.AsSpan(at + sizeof(ushort), keyLength).CopyTo(firstKeys.AsSpan(written));
            starts[page] = written;
            written += keyLength;
            at += sizeof(ushort) + keyLength;
        }

        starts[pages] = written;
        return new RunIndex(firstKeys, starts, records);
    }

    /// <summary>The page index: the first keys of all pages end to end, where each starts (one more than the pages), and the record count.</summary>
    private sealed record RunIndex(byte[] FirstKeys, int[] Starts, long Records);
}
