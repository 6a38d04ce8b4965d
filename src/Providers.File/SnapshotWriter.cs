namespace BlockStore.Providers.File;

/// <summary>Writes a snapshot file: the header, CRC-framed records, and an empty record that marks the end.</summary>
internal sealed class SnapshotWriter : IDisposable
{
    private const int StreamBufferSize = 64 * 1024;
    private readonly FileStream _stream;

    public SnapshotWriter(string path, FileHeader header)
    {
        _stream = new FileStream(path, PrivateFiles.Options(FileMode.Create, FileAccess.Write, FileShare.None, StreamBufferSize));
        Span<byte> bytes = stackalloc byte[FileHeader.Size];
        header.Write(bytes);
        _stream.Write(bytes);
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
        _stream.Flush(flushToDisk: durability == Durability.Full);
        return _stream.Length;
    }

    public void Dispose() => _stream.Dispose();

    private void WriteFrame(ReadOnlySpan<byte> body)
    {
        Span<byte> header = stackalloc byte[RecordFrame.HeaderSize];
        RecordFrame.WriteHeader(header, body, []);
        _stream.Write(header);
        _stream.Write(body);
    }
}
