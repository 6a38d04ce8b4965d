using System.Buffers.Binary;

namespace BlockStore.Providers.File;

/// <summary>Decodes a record body written by <see cref="RecordBuffer"/>; a body that ends early throws <see cref="InvalidDataException"/>.</summary>
internal ref struct RecordReader(ReadOnlySpan<byte> body)
{
    private ReadOnlySpan<byte> _rest = body;

    /// <summary>Whether the whole body has been read.</summary>
    public readonly bool AtEnd => _rest.IsEmpty;

    public byte ReadByte() => Take(1)[0];

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(sizeof(ushort)));

    /// <summary>Reads the next <paramref name="count"/> bytes as they are.</summary>
    public ReadOnlySpan<byte> ReadBytes(int count) => Take(count);

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(sizeof(int)));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(sizeof(long)));

    public string ReadString()
    {
        int count = BinaryPrimitives.ReadUInt16LittleEndian(Take(sizeof(ushort)));
        return RecordBuffer.Utf8.GetString(Take(count));
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (_rest.Length < count)
        {
            throw new InvalidDataException($"The record ends {count - _rest.Length} bytes early.");
        }

        ReadOnlySpan<byte> taken = _rest[..count];
        _rest = _rest[count..];
        return taken;
    }
}
