using System.Buffers;

namespace BlockStore.Providers.File;

/// <summary>Reads CRC-framed records sequentially from a file, between a start offset and an end offset.</summary>
internal sealed class FrameReader : IDisposable
{
    private const int StreamBufferSize = 64 * 1024;
    private readonly FileStream _stream;
    private readonly long _end;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(4096);

    public FrameReader(string path, long start, long end)
    {
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, StreamBufferSize, FileOptions.SequentialScan);
        _stream.Position = start;
        Position = start;
        _end = end;
    }

    /// <summary>The offset of the next frame: after the last good one.</summary>
    public long Position { get; private set; }

    /// <summary>Reads the next frame; <paramref name="body"/> stays valid until the next call.</summary>
    public FrameStatus Next(out ReadOnlySpan<byte> body)
    {
        body = default;
        long remaining = _end - Position;
        if (remaining == 0)
        {
            return FrameStatus.End;
        }

        Span<byte> header = stackalloc byte[RecordFrame.HeaderSize];
        if (remaining < RecordFrame.HeaderSize)
        {
            return FrameStatus.Torn;
        }

        _stream.ReadExactly(header);
        uint length = RecordFrame.BodyLength(header);
        if (length > remaining - RecordFrame.HeaderSize)
        {
            _stream.Position = Position;
            return FrameStatus.Torn;
        }

        if (_buffer.Length < length)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent((int)length);
        }

        Span<byte> data = _buffer.AsSpan(0, (int)length);
        _stream.ReadExactly(data);
        if (!RecordFrame.IsValid(header, data))
        {
            _stream.Position = Position;
            return RecordFrame.HeaderSize + length == remaining ? FrameStatus.Torn : FrameStatus.Damaged;
        }

        Position += RecordFrame.HeaderSize + length;
        body = data;
        return FrameStatus.Ok;
    }

    /// <summary>Whether every byte from <see cref="Position"/> to the end is zero (space the file system allocated but never filled).</summary>
    public bool RestIsZero()
    {
        _stream.Position = Position;
        Span<byte> chunk = _buffer;
        long left = _end - Position;
        while (left > 0)
        {
            int n = _stream.Read(chunk[..(int)Math.Min(chunk.Length, left)]);
            if (n == 0 || chunk[..n].ContainsAnyExcept((byte)0))
            {
                return n == 0;
            }

            left -= n;
        }

        return true;
    }

    public void Dispose()
    {
        _stream.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
