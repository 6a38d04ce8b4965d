using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace BlockStore.Engine;

/// <summary>
/// Encodes sealed blocks in format version 2 and decodes versions 1 and 2; docs/format.md describes both byte by byte.
/// Version 2: magic u32 "BSBK" | version u16 | kind u8 | flags u8 | varints: count, first seq, seq span, first timestamp,
/// timestamp span, stored payload length, [raw payload length when compressed], id length | id (UTF-8) | payload | CRC-32C u32
/// over everything before it. Entries after the first store their SeqId and timestamp as deltas from the entry before.
/// A conversation block with flag bit 1 starts its payload with a dictionary of recipient sets, and each entry ends with the
/// index of its set (0: unknown, else 1 + the set's place), its kind, and for an event the distance back to its target.
/// </summary>
internal static class BlockCodec
{
    public const uint Magic = 0x4B425342; // "BSBK"
    public const ushort FormatVersion = 2;
    public const ushort FormatVersion1 = 1;
    public const int TrailerSize = 4;

    /// <summary>Bit 0 of the flags byte: the payload is a Zstandard frame.</summary>
    public const byte ZstdFlag = 0x01;

    /// <summary>Bit 1 of the flags byte: a conversation block's entries carry recipient sets and event fields.</summary>
    public const byte LifecycleFlag = 0x02;

    /// <summary>The largest payload a reader accepts, compressed or not (the largest block the options allow).</summary>
    public const int MaxPayloadBytes = 1 << 30;

    /// <summary>Magic, version, kind and flags: the part every version shares.</summary>
    private const int PrefixSize = 8;

    /// <summary>The v2 header beyond the id at its longest: prefix, count, seq and timestamp fields, two payload lengths, id length.</summary>
    private const int MaxHeaderSize = PrefixSize + Varint.MaxLength32 + (4 * Varint.MaxLength) + (2 * Varint.MaxLength32) + Varint.MaxLength32;

    /// <summary>The v1 header before the id.</summary>
    private const int V1HeaderSize = 50;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The most bytes a block spends beyond its entries: the longest header, the id, the trailer, and a user block's dictionary
    /// count. The engine charges this when it opens a block, so a block's charged size never falls below its encoded size.
    /// </summary>
    public static int Overhead(int timelineIdBytes) => MaxHeaderSize + timelineIdBytes + TrailerSize + Varint.MaxLength32;

    /// <summary>The recipient-set dictionary of the conversation block being encoded on this thread, kept between blocks so sealing allocates none (cleared as each block starts).</summary>
    [ThreadStatic]
    private static Dictionary<string[], int>? t_sets;

    [ThreadStatic]
    private static List<string[]>? t_setOrder;

    /// <summary>The conversation-id dictionary of the user block being encoded on this thread, kept between blocks so sealing allocates none (cleared as each block starts).</summary>
    [ThreadStatic]
    private static Dictionary<string, int>? t_convIds;

    [ThreadStatic]
    private static List<string>? t_convIdOrder;

    public static byte[] EncodeConversation(string timelineId, ReadOnlySpan<ConvEntry> entries, BlockEncoding encoding)
    {
        int size = Varint.MaxLength32;
        Dictionary<string[], int> sets = t_sets ??= new Dictionary<string[], int>(RecipientSetComparer.Instance);
        List<string[]> order = t_setOrder ??= [];
        sets.Clear();
        order.Clear();
        for (int i = 0; i < entries.Length; i++)
        {
            ref readonly ConvEntry e = ref entries[i];
            size += i == 0 ? e.EncodedSize(e.SeqId, e.Timestamp) : e.EncodedSize(entries[i - 1].SeqId, entries[i - 1].Timestamp);
            if (e.Recipients is { } recipients && sets.TryAdd(recipients, order.Count))
            {
                order.Add(recipients);
                size += e.RecipientBytes;
            }
        }

        byte[] payload = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            Span<byte> span = payload;
            int pos = Varint.Write(span, (ulong)order.Count);
            foreach (string[] set in order)
            {
                pos += Varint.Write(span[pos..], (ulong)set.Length);
                foreach (string user in set)
                {
                    int length = Utf8.GetByteCount(user);
                    pos += Varint.Write(span[pos..], (ulong)length);
                    pos += Utf8.GetBytes(user, span[pos..]);
                }
            }

            for (int i = 0; i < entries.Length; i++)
            {
                ref readonly ConvEntry e = ref entries[i];
                if (i > 0)
                {
                    pos += Varint.Write(span[pos..], (ulong)(e.SeqId - entries[i - 1].SeqId));
                    pos += Varint.Write(span[pos..], (ulong)(e.Timestamp - entries[i - 1].Timestamp));
                }

                pos += Varint.Write(span[pos..], e.Message.SenderId);
                pos += Varint.Write(span[pos..], (ulong)e.Message.Data.Length);
                e.Message.Data.Span.CopyTo(span[pos..]);
                pos += e.Message.Data.Length;
                pos += Varint.Write(span[pos..], e.Recipients is { } recipients ? (ulong)sets[recipients] + 1 : 0);
                span[pos++] = (byte)e.Message.Kind;
                if (e.Message.Kind != MessageKind.Message)
                {
                    pos += Varint.Write(span[pos..], (ulong)(e.SeqId - e.Message.TargetSeqId));
                }
            }

            return Build(TimelineKind.Conversation, timelineId, entries.Length, entries[0], entries[^1], payload.AsSpan(0, pos), encoding, LifecycleFlag);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payload);
        }
    }

    /// <summary>The bytes a recipient set takes in a block's dictionary: its count, then each id's length and UTF-8 bytes.</summary>
    public static int RecipientSetSize(string[] recipients)
    {
        int size = Varint.Size((ulong)recipients.Length);
        foreach (string user in recipients)
        {
            int length = Utf8.GetByteCount(user);
            size += Varint.Size((ulong)length) + length;
        }

        return size;
    }

    public static byte[] EncodeUser(string timelineId, ReadOnlySpan<UserEntry> entries, BlockEncoding encoding)
    {
        Dictionary<string, int> dictionary = t_convIds ??= new Dictionary<string, int>(StringComparer.Ordinal);
        List<string> order = t_convIdOrder ??= [];
        dictionary.Clear();
        order.Clear();
        int size = Varint.MaxLength32;
        for (int i = 0; i < entries.Length; i++)
        {
            ref readonly UserEntry e = ref entries[i];
            if (!dictionary.TryGetValue(e.ConvId, out int index))
            {
                index = order.Count;
                dictionary.Add(e.ConvId, index);
                order.Add(e.ConvId);
                int idBytes = Utf8.GetByteCount(e.ConvId);
                size += Varint.Size((ulong)idBytes) + idBytes;
            }

            size += Varint.Size((ulong)index) + (i == 0 ? 0 : Varint.Size((ulong)(e.SeqId - entries[i - 1].SeqId)) + Varint.Size((ulong)(e.Timestamp - entries[i - 1].Timestamp)));
        }

        byte[] payload = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            Span<byte> span = payload;
            int pos = Varint.Write(span, (ulong)order.Count);
            foreach (string convId in order)
            {
                int length = Utf8.GetByteCount(convId);
                pos += Varint.Write(span[pos..], (ulong)length);
                pos += Utf8.GetBytes(convId, span[pos..]);
            }

            for (int i = 0; i < entries.Length; i++)
            {
                ref readonly UserEntry e = ref entries[i];
                if (i > 0)
                {
                    pos += Varint.Write(span[pos..], (ulong)(e.SeqId - entries[i - 1].SeqId));
                    pos += Varint.Write(span[pos..], (ulong)(e.Timestamp - entries[i - 1].Timestamp));
                }

                pos += Varint.Write(span[pos..], (ulong)dictionary[e.ConvId]);
            }

            return Build(TimelineKind.User, timelineId, entries.Length, entries[0], entries[^1], payload.AsSpan(0, pos), encoding, 0);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payload);
        }
    }

    public static ConvEntry[] DecodeConversation(byte[] block, string timelineId, StoreIndex location)
    {
        var reader = new Reader(block, TimelineKind.Conversation, timelineId, location);
        (string[] Users, int Bytes)[] sets = reader.RecipientSets();
        var entries = new ConvEntry[reader.Count];
        for (int i = 0; i < entries.Length; i++)
        {
            (long seq, long ts) = reader.Order(i);
            uint sender = reader.Sender();
            int length = reader.Length();
            var data = new ReadOnlyMemory<byte>(reader.Payload, reader.Position, length);
            reader.Skip(length);
            (string[] Users, int Bytes)? set = null;
            (MessageKind kind, long target) = (MessageKind.Message, 0);
            if (reader.HasLifecycle)
            {
                set = reader.RecipientSet(sets);
                (kind, target) = reader.Event(seq);
            }

            var message = new Message(seq, timelineId, sender, DateTimeOffset.FromUnixTimeMilliseconds(ts), data) { Kind = kind, TargetSeqId = target };
            entries[i] = new ConvEntry(message, ts, set?.Users, set?.Bytes ?? 0);
        }

        reader.End();
        return entries;
    }

    public static UserEntry[] DecodeUser(byte[] block, string timelineId, StoreIndex location)
    {
        var reader = new Reader(block, TimelineKind.User, timelineId, location);
        string[] dictionary = reader.Dictionary(out int[] dictionaryBytes);
        var entries = new UserEntry[reader.Count];
        for (int i = 0; i < entries.Length; i++)
        {
            (long seq, long ts) = reader.Order(i);
            string convId = reader.ConvId(dictionary, dictionaryBytes, out int bytes);
            entries[i] = new UserEntry(seq, convId, ts, bytes);
        }

        reader.End();
        return entries;
    }

    private static byte[] Build<T>(TimelineKind kind, string timelineId, int count, in T first, in T last, ReadOnlySpan<byte> raw, BlockEncoding encoding, byte flags)
        where T : struct, ITimelineEntry
    {
        byte[]? compressed = null;
        try
        {
            ReadOnlySpan<byte> stored = raw;
            if (encoding.Compression == BlockCompression.Zstd && raw.Length >= BlockEncoding.MinCompressedPayload)
            {
                compressed = ArrayPool<byte>.Shared.Rent(BlockEncoding.CompressBound(raw.Length));
                if (encoding.TryCompress(raw, compressed, out int written) && written + Varint.Size((ulong)raw.Length) < raw.Length)
                {
                    stored = compressed.AsSpan(0, written);
                    flags |= ZstdFlag;
                }
            }

            int idBytes = Utf8.GetByteCount(timelineId);
            Span<byte> header = stackalloc byte[MaxHeaderSize];
            BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
            BinaryPrimitives.WriteUInt16LittleEndian(header[4..], FormatVersion);
            header[6] = (byte)kind;
            header[7] = flags;
            int pos = PrefixSize;
            pos += Varint.Write(header[pos..], (ulong)count);
            pos += Varint.Write(header[pos..], (ulong)first.SeqId);
            pos += Varint.Write(header[pos..], (ulong)(last.SeqId - first.SeqId));
            pos += Varint.Write(header[pos..], (ulong)first.Timestamp);
            pos += Varint.Write(header[pos..], (ulong)(last.Timestamp - first.Timestamp));
            pos += Varint.Write(header[pos..], (ulong)stored.Length);
            if ((flags & ZstdFlag) != 0)
            {
                pos += Varint.Write(header[pos..], (ulong)raw.Length);
            }

            pos += Varint.Write(header[pos..], (ulong)idBytes);
            var block = new byte[pos + idBytes + stored.Length + TrailerSize];
            header[..pos].CopyTo(block);
            pos += Utf8.GetBytes(timelineId, block.AsSpan(pos));
            stored.CopyTo(block.AsSpan(pos));
            pos += stored.Length;
            BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(pos), Crc32C.Compute(block.AsSpan(0, pos)));
            return block;
        }
        finally
        {
            if (compressed is not null)
            {
                ArrayPool<byte>.Shared.Return(compressed);
            }
        }
    }

    /// <summary>Checks the checksum and header of a block of either version, then reads its entries with bounds and order checks.</summary>
    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _payload;
        private readonly StoreIndex _location;
        private readonly ushort _version;
        private readonly long _firstSeq;
        private readonly long _lastSeq;
        private readonly long _firstTs;
        private readonly long _lastTs;
        private long _previousSeq;
        private long _previousTs;

        public Reader(byte[] block, TimelineKind kind, string timelineId, StoreIndex location)
        {
            _location = location;
            ReadOnlySpan<byte> span = block;
            if (block.Length < PrefixSize + TrailerSize)
            {
                throw Corrupt($"{block.Length} bytes is shorter than a block header");
            }

            uint stored = BinaryPrimitives.ReadUInt32LittleEndian(span[^TrailerSize..]);
            if (stored != Crc32C.Compute(span[..^TrailerSize]))
            {
                throw Corrupt("checksum mismatch");
            }

            if (BinaryPrimitives.ReadUInt32LittleEndian(span) != Magic)
            {
                throw Corrupt("not a block (bad magic)");
            }

            _version = BinaryPrimitives.ReadUInt16LittleEndian(span[4..]);
            if (_version is not (FormatVersion1 or FormatVersion))
            {
                throw Corrupt($"unsupported block format version {_version}; this library reads versions {FormatVersion1} and {FormatVersion}");
            }

            if (span[6] != (byte)kind)
            {
                throw Corrupt($"expected a {kind} block, found kind {span[6]}");
            }

            Payload = block;
            int idStart;
            int idBytes;
            if (_version == FormatVersion1)
            {
                if (block.Length < V1HeaderSize + TrailerSize || span[7] != 0)
                {
                    throw Corrupt("the header is damaged");
                }

                Count = BinaryPrimitives.ReadInt32LittleEndian(span[8..]);
                _firstSeq = BinaryPrimitives.ReadInt64LittleEndian(span[12..]);
                _lastSeq = BinaryPrimitives.ReadInt64LittleEndian(span[20..]);
                _firstTs = BinaryPrimitives.ReadInt64LittleEndian(span[28..]);
                _lastTs = BinaryPrimitives.ReadInt64LittleEndian(span[36..]);
                int payload = BinaryPrimitives.ReadInt32LittleEndian(span[44..]);
                idBytes = BinaryPrimitives.ReadUInt16LittleEndian(span[48..]);
                idStart = V1HeaderSize;
                Position = V1HeaderSize + idBytes;
                PayloadEnd = Position + payload;
                if (payload < 0 || PayloadEnd != block.Length - TrailerSize)
                {
                    throw Corrupt("header sizes do not match the block");
                }
            }
            else
            {
                byte flags = span[7];
                if ((flags & ~(ZstdFlag | LifecycleFlag)) != 0 || ((flags & LifecycleFlag) != 0 && kind != TimelineKind.Conversation))
                {
                    throw Corrupt($"unknown block flags 0x{flags:X2}");
                }

                HasLifecycle = (flags & LifecycleFlag) != 0;

                ReadOnlySpan<byte> header = span[..^TrailerSize];
                int pos = PrefixSize;
                Count = (int)HeaderValue(header, ref pos, int.MaxValue, location);
                _firstSeq = (long)HeaderValue(header, ref pos, long.MaxValue, location);
                _lastSeq = _firstSeq + (long)HeaderValue(header, ref pos, (ulong)(long.MaxValue - _firstSeq), location);
                _firstTs = (long)HeaderValue(header, ref pos, ulong.MaxValue, location);
                _lastTs = _firstTs + (long)HeaderValue(header, ref pos, _firstTs < 0 ? long.MaxValue : (ulong)(long.MaxValue - _firstTs), location);
                int storedLength = (int)HeaderValue(header, ref pos, MaxPayloadBytes, location);
                int rawLength = (flags & ZstdFlag) != 0 ? (int)HeaderValue(header, ref pos, MaxPayloadBytes, location) : storedLength;
                idBytes = (int)HeaderValue(header, ref pos, ushort.MaxValue, location);
                idStart = pos;
                int payloadStart = pos + idBytes;
                if ((long)payloadStart + storedLength != block.Length - TrailerSize)
                {
                    throw Corrupt("header sizes do not match the block");
                }

                if ((flags & ZstdFlag) != 0)
                {
                    var raw = new byte[rawLength];
                    if (!BlockEncoding.TryDecompress(span.Slice(payloadStart, storedLength), raw))
                    {
                        throw Corrupt("the compressed payload is damaged");
                    }

                    Payload = raw;
                    Position = 0;
                    PayloadEnd = rawLength;
                }
                else
                {
                    Position = payloadStart;
                    PayloadEnd = payloadStart + storedLength;
                }
            }

            if (Count <= 0 || (_version == FormatVersion && Count > PayloadEnd - Position))
            {
                throw Corrupt("header sizes do not match the block");
            }

            if (!span.Slice(idStart, idBytes).SequenceEqual(Utf8.GetBytes(timelineId)))
            {
                throw Corrupt($"the block belongs to another timeline than {kind} '{timelineId}'");
            }

            _payload = Payload;
            _previousSeq = 0;
            _previousTs = long.MinValue;
        }

        public int Count { get; }

        /// <summary>True when the block's entries carry recipient sets and event fields (<see cref="LifecycleFlag"/>).</summary>
        public bool HasLifecycle { get; }

        /// <summary>The array the entries are read from: the block itself, or its decompressed payload.</summary>
        public byte[] Payload { get; }

        public int Position { get; private set; }

        private int PayloadEnd { get; }

        /// <summary>Reads an entry's SeqId and timestamp and checks them against the entry before and the header's ranges.</summary>
        public (long Seq, long Ts) Order(int index)
        {
            long seq;
            long ts;
            if (_version == FormatVersion1)
            {
                seq = Int64();
                ts = Int64();
            }
            else if (index == 0)
            {
                seq = _firstSeq;
                ts = _firstTs;
            }
            else
            {
                seq = _previousSeq + (long)Value((ulong)(_lastSeq - _previousSeq));
                ts = _previousTs + (long)Value((ulong)(_lastTs - _previousTs));
            }

            if (seq <= _previousSeq || ts < _previousTs || seq < _firstSeq || seq > _lastSeq || ts < _firstTs || ts > _lastTs)
            {
                throw Corrupt("entries out of order or outside the header's range");
            }

            _previousSeq = seq;
            _previousTs = ts;
            return (seq, ts);
        }

        public uint Sender() => _version == FormatVersion1 ? (uint)Fixed(4) : (uint)Value(uint.MaxValue);

        /// <summary>Reads a body length and checks the body fits in the payload.</summary>
        public int Length()
        {
            long length = _version == FormatVersion1 ? (int)Fixed(4) : (long)Value(int.MaxValue);
            if (length < 0)
            {
                throw Corrupt("negative length");
            }

            Need((int)length);
            return (int)length;
        }

        /// <summary>Reads a user block's conversation id dictionary and each id's UTF-8 length (version 2; empty for version 1).</summary>
        public string[] Dictionary(out int[] lengths)
        {
            if (_version == FormatVersion1)
            {
                lengths = [];
                return [];
            }

            int count = (int)Value((ulong)Math.Min(Count, PayloadEnd - Position));
            var ids = new string[count];
            lengths = new int[count];
            for (int i = 0; i < count; i++)
            {
                int length = (int)Value(ushort.MaxValue);
                Need(length);
                ids[i] = Utf8String(length);
                lengths[i] = length;
            }

            return ids;
        }

        /// <summary>Reads a conversation block's recipient sets and the bytes each takes (none without <see cref="HasLifecycle"/>).</summary>
        public (string[] Users, int Bytes)[] RecipientSets()
        {
            if (!HasLifecycle)
            {
                return [];
            }

            int count = (int)Value((ulong)Math.Min(Count, PayloadEnd - Position));
            var sets = new (string[] Users, int Bytes)[count];
            for (int i = 0; i < count; i++)
            {
                int start = Position;
                var users = new string[(int)Value((ulong)(PayloadEnd - Position))];
                for (int u = 0; u < users.Length; u++)
                {
                    int length = (int)Value(ushort.MaxValue);
                    Need(length);
                    users[u] = Utf8String(length);
                }

                sets[i] = (users, Position - start);
            }

            return sets;
        }

        /// <summary>Reads an entry's recipient set index: null for unknown recipients.</summary>
        public (string[] Users, int Bytes)? RecipientSet((string[] Users, int Bytes)[] sets)
        {
            int index = (int)Value((ulong)sets.Length);
            return index == 0 ? null : sets[index - 1];
        }

        /// <summary>Reads an entry's kind and, for an event, its target SeqId (below <paramref name="seq"/>).</summary>
        public (MessageKind Kind, long Target) Event(long seq)
        {
            Need(1);
            var kind = (MessageKind)_payload[Position++];
            if (kind == MessageKind.Message)
            {
                return (kind, 0);
            }

            if (kind > MessageKind.Delete)
            {
                throw Corrupt("unknown entry kind");
            }

            return (kind, seq - (long)Value((ulong)seq - 1));
        }

        /// <summary>Reads a user entry's conversation id: inline in version 1, a dictionary index in version 2.</summary>
        public string ConvId(string[] dictionary, int[] lengths, out int bytes)
        {
            if (_version == FormatVersion1)
            {
                bytes = (int)Fixed(2);
                Need(bytes);
                return Utf8String(bytes);
            }

            if (dictionary.Length == 0)
            {
                throw Corrupt("a user entry refers to an empty dictionary");
            }

            int index = (int)Value((ulong)dictionary.Length - 1);
            bytes = lengths[index];
            return dictionary[index];
        }

        public void Skip(int length) => Position += length;

        public readonly void End()
        {
            if (Position != PayloadEnd || _previousSeq != _lastSeq || _previousTs != _lastTs)
            {
                throw Corrupt("entries do not fill the payload or do not match the header");
            }
        }

        private static ulong HeaderValue(ReadOnlySpan<byte> header, ref int position, ulong max, StoreIndex location)
        {
            if (position >= header.Length || !Varint.TryRead(header[position..], out ulong value, out int length) || value > max)
            {
                throw new CorruptBlockException(location.StoreId, location.Offset, "the header is damaged");
            }

            position += length;
            return value;
        }

        private long Int64()
        {
            Need(8);
            long value = BinaryPrimitives.ReadInt64LittleEndian(_payload[Position..]);
            Position += 8;
            return value;
        }

        /// <summary>Reads a little-endian unsigned field of <paramref name="size"/> (2 or 4) bytes.</summary>
        private long Fixed(int size)
        {
            Need(size);
            long value = size == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(_payload[Position..]) : BinaryPrimitives.ReadInt32LittleEndian(_payload[Position..]);
            Position += size;
            return value;
        }

        /// <summary>Reads a varint of at most <paramref name="max"/>.</summary>
        private ulong Value(ulong max)
        {
            if (!Varint.TryRead(_payload[Position..PayloadEnd], out ulong value, out int length) || value > max)
            {
                throw Corrupt("an entry field is damaged or runs past the payload");
            }

            Position += length;
            return value;
        }

        private string Utf8String(int length)
        {
            try
            {
                string value = Utf8.GetString(_payload.Slice(Position, length));
                Position += length;
                return value;
            }
            catch (DecoderFallbackException)
            {
                throw Corrupt("invalid UTF-8 in an id");
            }
        }

        private readonly void Need(int bytes)
        {
            if (bytes > PayloadEnd - Position)
            {
                throw Corrupt("an entry runs past the payload");
            }
        }

        private readonly CorruptBlockException Corrupt(string reason) => new(_location.StoreId, _location.Offset, reason);
    }
}
