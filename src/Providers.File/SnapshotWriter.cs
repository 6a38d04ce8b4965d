using Microsoft.Win32.SafeHandles;

namespace BlockStore.Providers.File;

/// <summary>Writes a snapshot file: the header, CRC-framed records, and an empty record that marks the end.</summary>
internal sealed class SnapshotWriter : IDisposable
{
    private const int BufferSize = 64 * 1024;
    private readonly SafeFileHandle _handle;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _buffered;
    private long _written;

    public SnapshotWriter(string path, FileHeader header)
    {
        _handle = FileIo.Current.Open(path, PrivateFiles.Options(FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0));
        Span<byte> bytes = stackalloc byte[FileHeader.Size];
        header.Write(bytes);
        Append(bytes);
    }

    /// <summary>Appends one record; an empty body is reserved for the end marker.</summary>
    public void Write(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            throw new ArgumentException("A snapshot record cannot be empty.", nameof(body));
        }

        WriteFrame(body);
    }

    /// <summary>Writes the end marker, flushes as <paramref name="durability"/> requires, and returns the file's size.</summary>
    public long Finish(Durability durability)
    {
        WriteFrame([]);
        Drain();
        DurableFiles.Flush(_handle, durability);
        return _written;
    }

    public void Dispose() => _handle.Dispose();

    private void WriteFrame(ReadOnlySpan<byte> body)
    {
        Span<byte> header = stackalloc byte[RecordFrame.HeaderSize];
        RecordFrame.WriteHeader(header, body, []);
        Append(header);
        Append(body);
    }

    /// <summary>Copies <paramref name="bytes"/> into the buffer, writing it out each time it fills (a large record is written directly).</summary>
    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_buffered + bytes.Length > BufferSize)
        {
            Drain();
        }

        if (bytes.Length >= BufferSize)
        {
            FileIo.Current.Write(_handle, bytes, _written);
            _written += bytes.Length;
            return;
        }

        bytes.CopyTo(_buffer.AsSpan(_buffered));
        _buffered += bytes.Length;
    }

    private void Drain()
    {
        if (_buffered == 0)
        {
            return;
        }

        FileIo.Current.Write(_handle, _buffer.AsSpan(0, _buffered), _written);
        _written += _buffered;
        _buffered = 0;
    }
}
