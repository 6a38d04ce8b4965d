using System.Buffers.Binary;

namespace BlockStore.Providers.File;

/// <summary>One timeline in the key directory: its newest block record in the block index and its totals (32 bytes).</summary>
/// <param name="Head">The offset of the timeline's newest block record in <see cref="BlockIndexFile"/>, or 0 when it has no block.</param>
/// <param name="Blocks">How many sealed blocks the timeline has.</param>
/// <param name="Entries">How many entries they hold.</param>
/// <param name="LastSeqId">The largest SeqId in them, or 0.</param>
internal readonly record struct DirectoryEntry(long Head, int Blocks, long Entries, long LastSeqId)
{
    /// <summary>The size of an entry as a key directory value: head i64 | blocks i32 | entries i64 | last seq i64 (little endian).</summary>
    public const int EncodedSize = 28;

    /// <summary>Whether the entry is consistent: a head exactly when it has blocks.</summary>
    public bool IsValid => Blocks >= 0 && (Head == 0) == (Blocks == 0);

    /// <summary>The entry as a key directory value.</summary>
    public byte[] Encode()
    {
        byte[] value = new byte[EncodedSize];
        BinaryPrimitives.WriteInt64LittleEndian(value, Head);
        BinaryPrimitives.WriteInt32LittleEndian(value.AsSpan(8), Blocks);
        BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(12), Entries);
        BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(20), LastSeqId);
        return value;
    }

    /// <summary>Reads a key directory value, or throws <see cref="InvalidDataException"/> when it is not a valid entry.</summary>
    public static DirectoryEntry Decode(ReadOnlySpan<byte> value)
    {
        if (value.Length != EncodedSize)
        {
            throw new InvalidDataException($"A directory entry is {EncodedSize} bytes, not {value.Length}.");
        }

        var entry = new DirectoryEntry(
            BinaryPrimitives.ReadInt64LittleEndian(value),
            BinaryPrimitives.ReadInt32LittleEndian(value[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(value[12..]),
            BinaryPrimitives.ReadInt64LittleEndian(value[20..]));
        return entry.IsValid ? entry : throw new InvalidDataException("The directory entry is invalid.");
    }
}
