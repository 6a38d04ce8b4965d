using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using BlockStore.Engine;

namespace BlockStore.Tests.Engine;

/// <summary>Writes blocks in format version 1 (docs/format.md), as data sets written before version 2 hold them.</summary>
internal static class BlockV1Writer
{
    public static byte[] Conversation(string timelineId, ConvEntry[] entries)
    {
        var payload = new List<byte>();
        foreach (ConvEntry e in entries)
        {
            var fixedPart = new byte[24];
            BinaryPrimitives.WriteInt64LittleEndian(fixedPart, e.SeqId);
            BinaryPrimitives.WriteInt64LittleEndian(fixedPart.AsSpan(8), e.Timestamp);
            BinaryPrimitives.WriteUInt32LittleEndian(fixedPart.AsSpan(16), e.Message.SenderId);
            BinaryPrimitives.WriteInt32LittleEndian(fixedPart.AsSpan(20), e.Message.Data.Length);
            payload.AddRange(fixedPart);
            payload.AddRange(e.Message.Data.ToArray());
        }

        return Block(TimelineKind.Conversation, timelineId, entries.Length, entries[0].SeqId, entries[^1].SeqId, entries[0].Timestamp, entries[^1].Timestamp, [.. payload]);
    }

    public static byte[] User(string timelineId, UserEntry[] entries)
    {
        var payload = new List<byte>();
        foreach (UserEntry e in entries)
        {
            byte[] id = Encoding.UTF8.GetBytes(e.ConvId);
            var fixedPart = new byte[18];
            BinaryPrimitives.WriteInt64LittleEndian(fixedPart, e.SeqId);
            BinaryPrimitives.WriteInt64LittleEndian(fixedPart.AsSpan(8), e.Timestamp);
            BinaryPrimitives.WriteUInt16LittleEndian(fixedPart.AsSpan(16), (ushort)id.Length);
            payload.AddRange(fixedPart);
            payload.AddRange(id);
        }

        return Block(TimelineKind.User, timelineId, entries.Length, entries[0].SeqId, entries[^1].SeqId, entries[0].Timestamp, entries[^1].Timestamp, [.. payload]);
    }

    private static byte[] Block(TimelineKind kind, string timelineId, int count, long firstSeq, long lastSeq, long firstTs, long lastTs, byte[] payload)
    {
        byte[] id = Encoding.UTF8.GetBytes(timelineId);
        var block = new byte[50 + id.Length + payload.Length + 4];
        Span<byte> span = block;
        BinaryPrimitives.WriteUInt32LittleEndian(span, BlockCodec.Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], BlockCodec.FormatVersion1);
        span[6] = (byte)kind;
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], count);
        BinaryPrimitives.WriteInt64LittleEndian(span[12..], firstSeq);
        BinaryPrimitives.WriteInt64LittleEndian(span[20..], lastSeq);
        BinaryPrimitives.WriteInt64LittleEndian(span[28..], firstTs);
        BinaryPrimitives.WriteInt64LittleEndian(span[36..], lastTs);
        BinaryPrimitives.WriteInt32LittleEndian(span[44..], payload.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(span[48..], (ushort)id.Length);
        id.CopyTo(span[50..]);
        payload.CopyTo(span[(50 + id.Length)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[^4..], Checksum(span[..^4]));
        return block;
    }

    /// <summary>CRC-32C as docs/format.md defines it, for tests that rewrite a block's bytes.</summary>
    public static uint Checksum(ReadOnlySpan<byte> data)
    {
        uint crc = ~0u;
        foreach (byte b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }

    /// <summary>Recomputes a block's trailing checksum after a test changed its bytes.</summary>
    public static void Reseal(byte[] block) => BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(block.Length - 4), Checksum(block.AsSpan(0, block.Length - 4)));
}
