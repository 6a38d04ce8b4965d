using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace BlockStore.Providers.File;

/// <summary>A growable buffer, rented from <see cref="ArrayPool{T}.Shared"/>, that encodes a record body (little endian).</summary>
internal sealed class RecordBuffer : IDisposable
{
    /// <summary>Strict UTF-8: an id that does not round-trip is refused rather than silently changed.</summary>
    public static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(4096);

    /// <summary>The bytes written so far.</summary>
    public int Length { get; private set; }

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, Length);

    /// <summary>Forgets what was written, keeping the buffer.</summary>
    public void Clear() => Length = 0;

    public void WriteByte(byte value) => Reserve(1)[0] = value;

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Reserve(sizeof(ushort)), value);

    /// <summary>Writes <paramref name="bytes"/> as they are.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(sizeof(int)), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(sizeof(long)), value);

    /// <summary>Writes an id as its UTF-8 length (u16) and bytes.</summary>
    public void WriteString(string value)
    {
        int count = Utf8.GetByteCount(value);
        if (count > ushort.MaxValue)
        {
            throw new ArgumentException($"The id is {count} UTF-8 bytes; at most {ushort.MaxValue} can be stored.", nameof(value));
        }

        Span<byte> span = Reserve(sizeof(ushort) + count);
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)count);
        Utf8.GetBytes(value, span[sizeof(ushort)..]);
    }

    /// <summary>Overwrites a 32-bit value written earlier at <paramref name="offset"/>.</summary>
    public void PatchInt32(int offset, int value) => BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(offset), value);

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private Span<byte> Reserve(int count)
    {
        if (Length + count > _buffer.Length)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, Length + count));
            _buffer.AsSpan(0, Length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        Span<byte> span = _buffer.AsSpan(Length, count);
        Length += count;
        return span;
    }
}
