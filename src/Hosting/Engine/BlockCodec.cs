using System.Buffers.Binary;
using System.Text;

namespace BlockStore.Engine;

/// <summary>
/// Encodes and decodes sealed blocks. Layout (little endian), format version 1:
/// magic u32 "BSBK" | version u16 | kind u8 | reserved u8 | count i32 | first seq i64 | last seq i64 |
/// first timestamp i64 | last timestamp i64 | payload length i32 | id length u16 | id (UTF-8) | payload | CRC-32C u32
/// over everything before it. Conversation entries: seq i64, timestamp i64, sender u32, length i32, data.
/// User entries: seq i64, timestamp i64, conversation id length u16, conversation id (UTF-8).
/// </summary>
internal static class BlockCodec
{
    public const uint Magic = 0x4B425342; // "BSBK"
    public const ushort FormatVersion = 1;
    public const int FixedHeaderSize = 50;
    public const int TrailerSize = 4;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The bytes a block spends beyond its entries.</summary>
    public static int Overhead(int timelineIdBytes) => FixedHeaderSize + timelineIdBytes + TrailerSize;

    public static byte[] EncodeConversation(string timelineId, ReadOnlySpan<ConvEntry> entries)
    {
        int payload = 0;
        foreach (ref readonly ConvEntry e in entries)
        {
            payload += e.EncodedSize;
        }

        byte[] block = BeginBlock(TimelineKind.Conversation, timelineId, entries.Length, entries[0], entries[^1], payload, out int pos);
        Span<byte> span = block;
        foreach (ref readonly ConvEntry e in entries)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[pos..], e.SeqId);
            BinaryPrimitives.WriteInt64LittleEndian(span[(pos + 8)..], e.Timestamp);
            BinaryPrimitives.WriteUInt32LittleEndian(span[(pos + 16)..], e.Message.SenderId);
            BinaryPrimitives.WriteInt32LittleEndian(span[(pos + 20)..], e.Message.Data.Length);
            e.Message.Data.Span.CopyTo(span[(pos + ConvEntry.FixedSize)..]);
            pos += e.EncodedSize;
        }

        return EndBlock(block, pos);
    }

    public static byte[] EncodeUser(string timelineId, ReadOnlySpan<UserEntry> entries)
    {
        int payload = 0;
        foreach (ref readonly UserEntry e in entries)
        {
            payload += e.EncodedSize;
        }

        byte[] block = BeginBlock(TimelineKind.User, timelineId, entries.Length, entries[0], entries[^1], payload, out int pos);
        Span<byte> span = block;
        foreach (ref readonly UserEntry e in entries)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[pos..], e.SeqId);
            BinaryPrimitives.WriteInt64LittleEndian(span[(pos + 8)..], e.Timestamp);
            BinaryPrimitives.WriteUInt16LittleEndian(span[(pos + 16)..], (ushort)e.ConvIdBytes);
            Utf8.GetBytes(e.ConvId, span[(pos + UserEntry.FixedSize)..]);
            pos += e.EncodedSize;
        }

        return EndBlock(block, pos);
    }

    public static ConvEntry[] DecodeConversation(byte[] block, string timelineId, StoreIndex location)
    {
        var reader = new Reader(block, TimelineKind.Conversation, timelineId, location);
        var entries = new ConvEntry[reader.Count];
        for (int i = 0; i < entries.Length; i++)
        {
            long seq = reader.Int64();
            long ts = reader.Timestamp(seq);
            uint sender = reader.UInt32();
            int length = reader.Length(reader.Int32());
            var message = new Message(seq, timelineId, sender, DateTimeOffset.FromUnixTimeMilliseconds(ts), new ReadOnlyMemory<byte>(block, reader.Position, length));
            reader.Skip(length);
            entries[i] = new ConvEntry(message, ts);
        }

        reader.End();
        return entries;
    }

    public static UserEntry[] DecodeUser(byte[] block, string timelineId, StoreIndex location)
    {
        var reader = new Reader(block, TimelineKind.User, timelineId, location);
        var entries = new UserEntry[reader.Count];
        for (int i = 0; i < entries.Length; i++)
        {
            long seq = reader.Int64();
            long ts = reader.Timestamp(seq);
            int length = reader.Length(reader.UInt16());
            string convId = reader.Utf8String(length);
            entries[i] = new UserEntry(seq, convId, ts, length);
        }

        reader.End();
        return entries;
    }

    private static byte[] BeginBlock<T>(TimelineKind kind, string timelineId, int count, in T first, in T last, int payload, out int position)
        where T : struct, ITimelineEntry
    {
        int idBytes = Utf8.GetByteCount(timelineId);
        var block = new byte[Overhead(idBytes) + payload];
        Span<byte> span = block;
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], FormatVersion);
        span[6] = (byte)kind;
        span[7] = 0;
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], count);
        BinaryPrimitives.WriteInt64LittleEndian(span[12..], first.SeqId);
        BinaryPrimitives.WriteInt64LittleEndian(span[20..], last.SeqId);
        BinaryPrimitives.WriteInt64LittleEndian(span[28..], first.Timestamp);
        BinaryPrimitives.WriteInt64LittleEndian(span[36..], last.Timestamp);
        BinaryPrimitives.WriteInt32LittleEndian(span[44..], payload);
        BinaryPrimitives.WriteUInt16LittleEndian(span[48..], (ushort)idBytes);
        Utf8.GetBytes(timelineId, span[FixedHeaderSize..]);
        position = FixedHeaderSize + idBytes;
        return block;
    }

    private static byte[] EndBlock(byte[] block, int position)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(position), Crc32C.Compute(block.AsSpan(0, position)));
        return block;
    }

    /// <summary>Checks the checksum and header of a block, then reads its entries with bounds and order checks.</summary>
    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _block;
        private readonly StoreIndex _location;
        private readonly long _firstSeq;
        private readonly long _lastSeq;
        private readonly long _firstTs;
        private readonly long _lastTs;
        private readonly int _payloadEnd;
        private long _previousSeq;
        private long _previousTs;

        public Reader(byte[] block, TimelineKind kind, string timelineId, StoreIndex location)
        {
            _block = block;
            _location = location;
            if (block.Length < FixedHeaderSize + TrailerSize)
            {
                throw Corrupt($"{block.Length} bytes is shorter than a block header");
            }

            uint stored = BinaryPrimitives.ReadUInt32LittleEndian(_block[^TrailerSize..]);
            if (stored != Crc32C.Compute(_block[..^TrailerSize]))
            {
                throw Corrupt("checksum mismatch");
            }

            if (BinaryPrimitives.ReadUInt32LittleEndian(_block) != Magic)
            {
                throw Corrupt("not a block (bad magic)");
            }

            ushort version = BinaryPrimitives.ReadUInt16LittleEndian(_block[4..]);
            if (version != FormatVersion)
            {
                throw Corrupt($"unsupported block format version {version}");
            }

            if (_block[6] != (byte)kind)
            {
                throw Corrupt($"expected a {kind} block, found kind {_block[6]}");
            }

            Count = BinaryPrimitives.ReadInt32LittleEndian(_block[8..]);
            _firstSeq = BinaryPrimitives.ReadInt64LittleEndian(_block[12..]);
            _lastSeq = BinaryPrimitives.ReadInt64LittleEndian(_block[20..]);
            _firstTs = BinaryPrimitives.ReadInt64LittleEndian(_block[28..]);
            _lastTs = BinaryPrimitives.ReadInt64LittleEndian(_block[36..]);
            int payload = BinaryPrimitives.ReadInt32LittleEndian(_block[44..]);
            int idBytes = BinaryPrimitives.ReadUInt16LittleEndian(_block[48..]);
            Position = FixedHeaderSize + idBytes;
            _payloadEnd = Position + payload;
            if (Count <= 0 || payload < 0 || _payloadEnd != block.Length - TrailerSize)
            {
                throw Corrupt("header sizes do not match the block");
            }

            if (!_block.Slice(FixedHeaderSize, idBytes).SequenceEqual(Utf8.GetBytes(timelineId)))
            {
                throw Corrupt($"the block belongs to another timeline than {kind} '{timelineId}'");
            }

            _previousSeq = 0;
            _previousTs = long.MinValue;
        }

        public int Count { get; }

        public int Position { get; private set; }

        public long Int64()
        {
            Need(8);
            long value = BinaryPrimitives.ReadInt64LittleEndian(_block[Position..]);
            Position += 8;
            return value;
        }

        public int Int32()
        {
            Need(4);
            int value = BinaryPrimitives.ReadInt32LittleEndian(_block[Position..]);
            Position += 4;
            return value;
        }

        public uint UInt32()
        {
            Need(4);
            uint value = BinaryPrimitives.ReadUInt32LittleEndian(_block[Position..]);
            Position += 4;
            return value;
        }

        public int UInt16()
        {
            Need(2);
            int value = BinaryPrimitives.ReadUInt16LittleEndian(_block[Position..]);
            Position += 2;
            return value;
        }

        /// <summary>Reads an entry's timestamp and checks the entry's order against the one before.</summary>
        public long Timestamp(long seq)
        {
            long ts = Int64();
            if (seq <= _previousSeq || ts < _previousTs || seq < _firstSeq || seq > _lastSeq || ts < _firstTs || ts > _lastTs)
            {
                throw Corrupt("entries out of order or outside the header's range");
            }

            _previousSeq = seq;
            _previousTs = ts;
            return ts;
        }

        public int Length(int length)
        {
            if (length < 0)
            {
                throw Corrupt("negative length");
            }

            Need(length);
            return length;
        }

        public string Utf8String(int length)
        {
            try
            {
                string value = Utf8.GetString(_block.Slice(Position, length));
                Position += length;
                return value;
            }
            catch (DecoderFallbackException)
            {
                throw Corrupt("invalid UTF-8 in an id");
            }
        }

        public void Skip(int length) => Position += length;

        public readonly void End()
        {
            if (Position != _payloadEnd || _previousSeq != _lastSeq || _previousTs != _lastTs)
            {
                throw Corrupt("entries do not fill the payload or do not match the header");
            }
        }

        private readonly void Need(int bytes)
        {
            if (bytes > _payloadEnd - Position)
            {
                throw Corrupt("an entry runs past the payload");
            }
        }

        private readonly CorruptBlockException Corrupt(string reason) => new(_location.StoreId, _location.Offset, reason);
    }
}
