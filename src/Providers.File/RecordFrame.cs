using System.Buffers.Binary;

namespace BlockStore.Providers.File;

/// <summary>
/// The frame around every record in a log, journal segment or snapshot (little endian): body length u32 | CRC-32C u32 over the
/// length field and the body | body. A zero-length body marks the end of a snapshot.
/// </summary>
internal static class RecordFrame
{
    /// <summary>The bytes a frame adds before its body.</summary>
    public const int HeaderSize = 8;

    /// <summary>Writes the frame header for a body made of <paramref name="first"/> followed by <paramref name="rest"/>.</summary>
    public static void WriteHeader(Span<byte> header, ReadOnlySpan<byte> first, ReadOnlySpan<byte> rest)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(header, checked((uint)(first.Length + rest.Length)));
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Checksum(header[..4], first, rest));
    }

    /// <summary>The body length a frame header announces.</summary>
    public static uint BodyLength(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadUInt32LittleEndian(header);

    /// <summary>Whether <paramref name="body"/> matches the checksum in <paramref name="header"/>.</summary>
    public static bool IsValid(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body) =>
        BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) == Checksum(header[..4], body, []);

    private static uint Checksum(ReadOnlySpan<byte> length, ReadOnlySpan<byte> first, ReadOnlySpan<byte> rest) =>
        Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Append(Crc32C.Seed, length), first), rest));
}
