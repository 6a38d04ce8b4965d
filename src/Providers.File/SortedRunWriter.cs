using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace BlockStore.Providers.File;

/// <summary>Writes a <see cref="SortedRun"/> file from records given in strictly increasing key order (see its layout).</summary>
internal sealed class SortedRunWriter : IDisposable
{
    private const int PagesPerWrite = 16;
    private readonly SafeFileHandle _handle;
    private readonly byte[] _pages = new byte[PagesPerWrite * SortedRun.PageSize];
    private readonly ArrayBufferWriter<byte> _index = new();
    private readonly byte[] _lastKey = new byte[SortedRun.MaxRecordBytes];
    private int _lastKeyLength = -1;
    private int _buffered;
    private int _pageUsed;
    private int _pageRecords;
    private int _pageCount;
    private long _records;
    private long _written;

    /// <summary>Creates <paramref name="path"/> (replacing it) and writes <paramref name="header"/>.</summary>
    public SortedRunWriter(string path, FileHeader header)
    {
        _handle = FileIo.Current.Open(path, PrivateFiles.Options(FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0));
        Span<byte> bytes = stackalloc byte[FileHeader.Size];
        header.Write(bytes);
        FileIo.Current.Write(_handle, bytes, 0);
        _written = FileHeader.Size;
    }

    /// <summary>Adds a record; its key must be above the previous one.</summary>
    public void Add(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        SortedRun.CheckRecord(key, value);
        if (_lastKeyLength >= 0 && key.SequenceCompareTo(_lastKey.AsSpan(0, _lastKeyLength)) <= 0)
        {
            throw new ArgumentException("Keys must be added in strictly increasing order.", nameof(key));
        }

        int size = SortedRun.RecordHeaderSize + key.Length + value.Length;
        if (_pageRecords > 0 && _pageUsed + size > SortedRun.PageSize)
        {
            EndPage();
        }

        if (_pageRecords == 0)
        {
            _pageUsed = SortedRun.PageHeaderSize;
            Span<byte> entry = _index.GetSpan(sizeof(ushort) + key.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(entry, (ushort)key.Length);
            key.CopyTo(entry[sizeof(ushort)..]);
            _index.Advance(sizeof(ushort) + key.Length);
        }

        Span<byte> record = Page().Slice(_pageUsed, size);
        BinaryPrimitives.WriteUInt16LittleEndian(record, (ushort)key.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(record[2..], (ushort)value.Length);
        key.CopyTo(record[SortedRun.RecordHeaderSize..]);
        value.CopyTo(record[(SortedRun.RecordHeaderSize + key.Length)..]);
        _pageUsed += size;
        _pageRecords++;
        _records++;
        key.CopyTo(_lastKey);
        _lastKeyLength = key.Length;
    }

    /// <summary>Writes the last page, the index and the trailer, flushes as <paramref name="durability"/> requires, and returns the file's size.</summary>
    public long Finish(Durability durability)
    {
        if (_pageRecords > 0)
        {
            EndPage();
        }

        Drain();
        ReadOnlySpan<byte> index = _index.WrittenSpan;
        byte[] tail = new byte[index.Length + SortedRun.TrailerSize];
        index.CopyTo(tail);
        Span<byte> trailer = tail.AsSpan(index.Length);
        BinaryPrimitives.WriteInt64LittleEndian(trailer, _written);
        BinaryPrimitives.WriteInt32LittleEndian(trailer[8..], index.Length);
        BinaryPrimitives.WriteInt32LittleEndian(trailer[12..], _pageCount);
        BinaryPrimitives.WriteInt64LittleEndian(trailer[16..], _records);
        BinaryPrimitives.WriteInt32LittleEndian(trailer[24..], SortedRun.PageSize);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[28..], Crc32C.Compute(tail.AsSpan(0, tail.Length - sizeof(uint))));
        FileIo.Current.Write(_handle, tail, _written);
        _written += tail.Length;
        DurableFiles.Flush(_handle, durability);
        return _written;
    }

    public void Dispose() => _handle.Dispose();

    private Span<byte> Page() => _pages.AsSpan(_buffered * SortedRun.PageSize, SortedRun.PageSize);

    private void EndPage()
    {
        Span<byte> page = Page();
        page[_pageUsed..].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(page[4..], (uint)_pageCount);
        BinaryPrimitives.WriteUInt16LittleEndian(page[8..], (ushort)_pageRecords);
        BinaryPrimitives.WriteUInt16LittleEndian(page[10..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(page, Crc32C.Compute(page[4..]));
        _pageCount++;
        _pageRecords = 0;
        if (++_buffered == PagesPerWrite)
        {
            Drain();
        }
    }

    private void Drain()
    {
        if (_buffered == 0)
        {
            return;
        }

        FileIo.Current.Write(_handle, _pages.AsSpan(0, _buffered * SortedRun.PageSize), _written);
        _written += _buffered * SortedRun.PageSize;
        _buffered = 0;
    }
}
