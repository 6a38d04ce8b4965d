using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace BlockStore.Providers.File;

/// <summary>Reads CRC-framed records sequentially from a file, between a start offset and an end offset.</summary>
internal sealed class FrameReader : IDisposable
{
    private const int StreamBufferSize = 64 * 1024;
    private const int ScanWindow = 64 * 1024;
    private readonly string _path;
    private readonly FileStream _stream;
    private readonly long _end;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(4096);

    public FrameReader(string path, long start, long end)
    {
        _path = path;
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, StreamBufferSize, FileOptions.SequentialScan);
        _stream.Position = start;
        Position = start;
        _end = end;
    }

    /// <summary>The offset of the next frame: after the last good one.</summary>
    public long Position { get; private set; }

    /// <summary>Reads the next frame; <paramref name="body"/> stays valid until the next call.</summary>
    /// <remarks>
    /// Only an incomplete last frame is <see cref="FrameStatus.Torn"/>: one cut short by the end of the data with no valid frame
    /// after its start, space the file system allocated but never filled (zeros to the end), or a frame whose checksum fails
    /// followed only by such zeros (a write torn inside preallocated space). Any other frame whose checksum fails, or a frame
    /// whose length runs past the end while valid frames follow it, is <see cref="FrameStatus.Damaged"/>.
    /// </remarks>
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
            // Either the write of the last frame was cut short, or the length field is damaged: only the second leaves frames after it.
            return RestIsZero() || !ValidFrameFollows() ? FrameStatus.Torn : FrameStatus.Damaged;
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
            // A frame whose write was torn inside preallocated space ends where the zeros the file system allocated begin.
            long frameEnd = Position + RecordFrame.HeaderSize + length;
            return RestIsZero() || (frameEnd < _end && RestIsZero(frameEnd)) ? FrameStatus.Torn : FrameStatus.Damaged;
        }

        Position += RecordFrame.HeaderSize + length;
        body = data;
        return FrameStatus.Ok;
    }

    /// <summary>Whether every byte from <see cref="Position"/> to the end is zero (space the file system allocated but never filled).</summary>
    private bool RestIsZero() => RestIsZero(Position);

    /// <summary>Whether every byte from <paramref name="from"/> to the end is zero.</summary>
    private bool RestIsZero(long from)
    {
        _stream.Position = from;
        Span<byte> chunk = _buffer;
        long left = _end - from;
        while (left > 0)
        {
            int n = _stream.Read(chunk[..(int)Math.Min(chunk.Length, left)]);
            if (n == 0 || chunk[..n].ContainsAnyExcept((byte)0))
            {
                _stream.Position = Position;
                return n == 0;
            }

            left -= n;
        }

        _stream.Position = Position;
        return true;
    }

    /// <summary>Whether a complete frame with a matching checksum and a non-empty body starts anywhere after <see cref="Position"/>.</summary>
    private bool ValidFrameFollows()
    {
        using SafeFileHandle handle = System.IO.File.OpenHandle(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        byte[] window = ArrayPool<byte>.Shared.Rent(ScanWindow + RecordFrame.HeaderSize);
        byte[]? body = null;
        try
        {
            for (long start = Position + 1; start <= _end - RecordFrame.HeaderSize - 1; start += ScanWindow)
            {
                int count = RandomAccess.Read(handle, window.AsSpan(0, (int)Math.Min(ScanWindow + RecordFrame.HeaderSize, _end - start)), start);
                for (int i = 0; i < ScanWindow && i + RecordFrame.HeaderSize < count; i++)
                {
                    ReadOnlySpan<byte> header = window.AsSpan(i, RecordFrame.HeaderSize);
                    uint length = RecordFrame.BodyLength(header);
                    long bodyStart = start + i + RecordFrame.HeaderSize;
                    if (length == 0 || length > _end - bodyStart)
                    {
                        continue;
                    }

                    ReadOnlySpan<byte> data;
                    if (i + RecordFrame.HeaderSize + length <= count)
                    {
                        data = window.AsSpan(i + RecordFrame.HeaderSize, (int)length);
                    }
                    else
                    {
                        if (body is null || body.Length < length)
                        {
                            if (body is not null)
                            {
                                ArrayPool<byte>.Shared.Return(body);
                            }

                            body = ArrayPool<byte>.Shared.Rent((int)length);
                        }

                        RandomAccess.Read(handle, body.AsSpan(0, (int)length), bodyStart);
                        data = body.AsSpan(0, (int)length);
                    }

                    if (RecordFrame.IsValid(header, data))
                    {
                        return true;
                    }
                }
            }

            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(window);
            if (body is not null)
            {
                ArrayPool<byte>.Shared.Return(body);
            }
        }
    }

    public void Dispose()
    {
        _stream.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
