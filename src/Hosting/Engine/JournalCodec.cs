using System.Buffers.Binary;
using System.Text;

namespace BlockStore.Engine;

/// <summary>
/// Encodes the payload of one journal record. Layout (little endian), version 4:
/// magic u32 "BSJR" | version u16 | kind u16 | count i32 | entries | CRC-32C u32 over everything before it.
/// Kind 0 (one group commit), each entry a message: seq i64 | timestamp i64 | sender u32 | conversation id length u16 |
/// conversation id | data length i32 | data | recipient count i32 | for each recipient: id length u16, id |
/// idempotency key length u16 (0: none) | idempotency key | kind u8 (0 message, 1 edit, 2 delete) | target seq i64 (0 for a message).
/// Kind 1 (idempotency keys carried over a journal trim), each entry: seq i64 | timestamp i64 | fingerprint u32 |
/// conversation id length u16 | conversation id | key length u16 | key.
/// Kind 2 (message changes carried over a journal trim), each entry: target seq i64 | event seq i64 | event timestamp i64 |
/// edited-at i64 (0: never) | sender u32 | deleted u8 | conversation id length u16 | conversation id | data length i32 | data.
/// Kind 3 (erasure and retention rules, as set or carried over a journal trim), each entry: rule u8 (1 conversation deleted,
/// 2 user deleted, 3 sender erased, 4 retention) | value i64 (the last SeqId covered, or the retention in milliseconds, 0 for
/// the default) | sender u32 | id length u16 | id (the conversation or user; empty for a sender).
/// Version 1 records (kind 0 only, messages without the key field) and version 2 records (kinds 0 and 1, messages without the
/// kind and target fields) stay readable.
/// </summary>
internal static class JournalCodec
{
    public const uint Magic = 0x524A5342; // "BSJR"
    public const ushort FormatVersion = 4;
    private const ushort MessagesKind = 0;
    private const ushort CarriedKeysKind = 1;
    private const ushort CarriedChangesKind = 2;
    private const ushort RulesKind = 3;

    /// <summary>The bytes of a message's kind and target fields.</summary>
    private const int EventFieldsSize = 1 + 8;
    private const int HeaderSize = 12;
    private const int TrailerSize = 4;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The bytes of a record holding no message.</summary>
    public const int EmptyRecordSize = HeaderSize + TrailerSize;

    /// <summary>The bytes one message takes in a record.</summary>
    public static int MessageSize(PendingMessage message)
    {
        int size = 8 + 8 + 4 + 2 + 4 + message.Data.Length + 4 + 2 + (2 * message.UserIds.Length) + EventFieldsSize;
        if (message.IdBytes >= 0)
        {
            return size + message.IdBytes;
        }

        size += Utf8.GetByteCount(message.ConvId);
        foreach (string user in message.UserIds)
        {
            size += Utf8.GetByteCount(user);
        }

        if (message.IdempotencyKey is not null)
        {
            size += Utf8.GetByteCount(message.IdempotencyKey);
        }

        return size;
    }

    /// <summary>The size of the record that would hold <paramref name="messages"/>.</summary>
    public static long RecordSize(IReadOnlyList<PendingMessage> messages)
    {
        long size = EmptyRecordSize;
        for (int i = 0; i < messages.Count; i++)
        {
            size += messages[i].JournalSize;
        }

        return size;
    }

    /// <summary>The size of a record holding one message of <paramref name="maxMessageBytes"/> with <paramref name="maxRecipients"/> recipients and a key of the longest id.</summary>
    public static long LargestRecordSize(int maxMessageBytes, int maxRecipients) =>
        EmptyRecordSize + 8 + 8 + 4 + 2 + BlockStoreLimits.MaxIdBytes + 4 + (long)maxMessageBytes + 4 + ((long)maxRecipients * (2 + BlockStoreLimits.MaxIdBytes))
        + 2 + BlockStoreLimits.MaxIdBytes + EventFieldsSize;

    /// <summary>Encodes <paramref name="messages"/> into an array of exactly the record's size (providers may keep it as is).</summary>
    public static byte[] Encode(IReadOnlyList<PendingMessage> messages)
    {
        var buffer = new byte[checked((int)RecordSize(messages))];
        Span<byte> span = buffer;
        int pos = WriteHeader(span, MessagesKind, messages.Count);
        foreach (PendingMessage m in messages)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[pos..], m.SeqId);
            BinaryPrimitives.WriteInt64LittleEndian(span[(pos + 8)..], m.Timestamp);
            BinaryPrimitives.WriteUInt32LittleEndian(span[(pos + 16)..], m.SenderId);
            pos += 20;
            pos += WriteString(span[pos..], m.ConvId);
            BinaryPrimitives.WriteInt32LittleEndian(span[pos..], m.Data.Length);
            m.Data.Span.CopyTo(span[(pos + 4)..]);
            pos += 4 + m.Data.Length;
            BinaryPrimitives.WriteInt32LittleEndian(span[pos..], m.UserIds.Length);
            pos += 4;
            foreach (string user in m.UserIds)
            {
                pos += WriteString(span[pos..], user);
            }

            pos += WriteString(span[pos..], m.IdempotencyKey ?? "");
            span[pos] = (byte)m.Kind;
            BinaryPrimitives.WriteInt64LittleEndian(span[(pos + 1)..], m.TargetSeqId);
            pos += EventFieldsSize;
        }

        WriteTrailer(span, pos);
        return buffer;
    }

    /// <summary>Encodes a record of idempotency keys carried over a journal trim.</summary>
    public static byte[] EncodeCarriedKeys(IReadOnlyList<IdempotencyEntry> keys)
    {
        int size = HeaderSize + TrailerSize;
        foreach (IdempotencyEntry key in keys)
        {
            size += IdempotencyEntry.FixedEncodedSize + Utf8.GetByteCount(key.ConvId) + Utf8.GetByteCount(key.Key);
        }

        var buffer = new byte[size];
        Span<byte> span = buffer;
        int pos = WriteHeader(span, CarriedKeysKind, keys.Count);
        foreach (IdempotencyEntry key in keys)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[pos..], key.SeqId);
            BinaryPrimitives.WriteInt64LittleEndian(span[(pos + 8)..], key.Timestamp);
            BinaryPrimitives.WriteUInt32LittleEndian(span[(pos + 16)..], key.Fingerprint);
            pos += 20;
            pos += WriteString(span[pos..], key.ConvId);
            pos += WriteString(span[pos..], key.Key);
        }

        WriteTrailer(span, pos);
        return buffer;
    }

    /// <summary>Decodes a record's messages (none for a carried-keys record); bodies are slices of <paramref name="payload"/>.</summary>
    /// <exception cref="BlockStoreException">The record is damaged.</exception>
    public static List<PendingMessage> Decode(long recordId, ReadOnlyMemory<byte> payload) => Decode(recordId, payload, keys: null, changes: null, rules: null);

    /// <summary>
    /// Decodes a record's messages, and adds the idempotency keys it holds (of its messages, or carried) to <paramref name="keys"/>
    /// with <see cref="IdempotencyEntry.JournalId"/> <paramref name="recordId"/>, and the carried message changes to
    /// <paramref name="changes"/>, and the erasure and retention rules to <paramref name="rules"/>. Throws <see cref="BlockStoreException"/> when damaged.
    /// </summary>
    public static List<PendingMessage> Decode(long recordId, ReadOnlyMemory<byte> payload, List<IdempotencyEntry>? keys, List<MessageChange>? changes, List<LifecycleRule>? rules)
    {
        ReadOnlySpan<byte> span = payload.Span;
        if (span.Length < HeaderSize + TrailerSize
            || BinaryPrimitives.ReadUInt32LittleEndian(span[^TrailerSize..]) != Crc32C.Compute(span[..^TrailerSize])
            || BinaryPrimitives.ReadUInt32LittleEndian(span) != Magic)
        {
            throw Damaged(recordId, "checksum or magic mismatch");
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(span[4..]);
        ushort kind = BinaryPrimitives.ReadUInt16LittleEndian(span[6..]);
        if (version is < 1 or > FormatVersion || kind > version switch { 1 => MessagesKind, 2 => CarriedKeysKind, 3 => CarriedChangesKind, _ => RulesKind })
        {
            throw Damaged(recordId, "unsupported format version");
        }

        int count = BinaryPrimitives.ReadInt32LittleEndian(span[8..]);
        var messages = new List<PendingMessage>(kind != MessagesKind ? 0 : Math.Max(0, Math.Min(count, 1 << 16)));
        int pos = HeaderSize;
        int end = span.Length - TrailerSize;
        try
        {
            for (int i = 0; i < count; i++)
            {
                if (kind == CarriedKeysKind)
                {
                    ReadCarriedKey(span, ref pos, recordId, keys);
                }
                else if (kind == CarriedChangesKind)
                {
                    MessageChange change = ReadCarriedChange(payload, ref pos, recordId);
                    changes?.Add(change);
                }
                else if (kind == RulesKind)
                {
                    LifecycleRule rule = ReadRule(span, ref pos, recordId);
                    rules?.Add(rule);
                }
                else
                {
                    messages.Add(ReadMessage(payload, ref pos, version, recordId, keys));
                }
            }
        }
        catch (Exception ex) when (ex is ArgumentOutOfRangeException or OverflowException or DecoderFallbackException)
        {
            throw Damaged(recordId, "a message runs past the record");
        }

        if (pos != end)
        {
            throw Damaged(recordId, "messages do not fill the record");
        }

        return messages;
    }

    private static PendingMessage ReadMessage(ReadOnlyMemory<byte> payload, ref int pos, ushort version, long recordId, List<IdempotencyEntry>? keys)
    {
        ReadOnlySpan<byte> span = payload.Span;
        long seq = BinaryPrimitives.ReadInt64LittleEndian(span.Slice(pos, 8));
        long ts = BinaryPrimitives.ReadInt64LittleEndian(span.Slice(pos + 8, 8));
        uint sender = BinaryPrimitives.ReadUInt32LittleEndian(span.Slice(pos + 16, 4));
        pos += 20;
        string convId = ReadString(span, ref pos);
        int dataLength = BinaryPrimitives.ReadInt32LittleEndian(span.Slice(pos, 4));
        ReadOnlyMemory<byte> data = payload.Slice(pos + 4, dataLength);
        pos += 4 + dataLength;
        int users = BinaryPrimitives.ReadInt32LittleEndian(span.Slice(pos, 4));
        pos += 4;
        var userIds = new string[users];
        for (int u = 0; u < users; u++)
        {
            userIds[u] = ReadString(span, ref pos);
        }

        string? key = version == 1 ? null : ReadString(span, ref pos);
        MessageKind messageKind = MessageKind.Message;
        long target = 0;
        if (version >= 3)
        {
            messageKind = (MessageKind)span[pos];
            target = BinaryPrimitives.ReadInt64LittleEndian(span.Slice(pos + 1, 8));
            pos += EventFieldsSize;
            if (messageKind > MessageKind.Delete || (messageKind == MessageKind.Message) != (target == 0) || target < 0 || target >= seq)
            {
                throw Damaged(recordId, "an event field is out of range");
            }
        }

        if (string.IsNullOrEmpty(key))
        {
            return new PendingMessage(convId, sender, data, userIds) { SeqId = seq, Timestamp = ts, Kind = messageKind, TargetSeqId = target };
        }

        uint fingerprint = IdempotencyEntry.FingerprintOf(sender, data.Span);
        keys?.Add(new IdempotencyEntry(convId, key, seq, ts, fingerprint, recordId));
        return new PendingMessage(convId, sender, data, userIds) { SeqId = seq, Timestamp = ts, IdempotencyKey = key, Fingerprint = fingerprint };
    }

    /// <summary>Encodes a record of message changes carried over a journal trim.</summary>
    public static byte[] EncodeCarriedChanges(IReadOnlyList<MessageChange> changes)
    {
        int size = HeaderSize + TrailerSize;
        foreach (MessageChange change in changes)
        {
            size += MessageChange.FixedEncodedSize + Utf8.GetByteCount(change.ConvId) + change.Data.Length;
        }

        var buffer = new byte[size];
        Span<byte> span = buffer;
        int pos = WriteHeader(span, CarriedChangesKind, changes.Count);
        foreach (MessageChange change in changes)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[pos..], change.TargetSeqId);
            BinaryPrimitives.WriteInt64LittleEndian(span[(pos + 8)..], change.EventSeqId);
            BinaryPrimitives.WriteInt64LittleEndian(span[(pos + 16)..], change.EventTimestamp);
            BinaryPrimitives.WriteInt64LittleEndian(span[(pos + 24)..], change.EditedAt);
            BinaryPrimitives.WriteUInt32LittleEndian(span[(pos + 32)..], change.SenderId);
            span[pos + 36] = change.Deleted ? (byte)1 : (byte)0;
            pos += 37;
            pos += WriteString(span[pos..], change.ConvId);
            BinaryPrimitives.WriteInt32LittleEndian(span[pos..], change.Data.Length);
            change.Data.Span.CopyTo(span[(pos + 4)..]);
            pos += 4 + change.Data.Length;
        }

        WriteTrailer(span, pos);
        return buffer;
    }

    private static MessageChange ReadCarriedChange(ReadOnlyMemory<byte> payload, ref int pos, long recordId)
    {
        ReadOnlySpan<byte> span = payload.Span;
        long target = BinaryPrimitives.ReadInt64LittleEndian(span.Slice(pos, 8));
        long eventSeq = BinaryPrimitives.ReadInt64LittleEndian(span.Slice(pos + 8, 8));
        long eventTs = BinaryPrimitives.ReadInt64LittleEndian(span.Slice(pos + 16, 8));
        long editedAt = BinaryPrimitives.ReadInt64LittleEndian(span.Slice(pos + 24, 8));
        uint sender = BinaryPrimitives.ReadUInt32LittleEndian(span.Slice(pos + 32, 4));
        byte deleted = span[pos + 36];
        pos += 37;
        string convId = ReadString(span, ref pos);
        int dataLength = BinaryPrimitives.ReadInt32LittleEndian(span.Slice(pos, 4));
        byte[] data = payload.Slice(pos + 4, dataLength).ToArray();
        pos += 4 + dataLength;
        if (deleted > 1 || target <= 0 || eventSeq <= target)
        {
            throw Damaged(recordId, "a carried change is out of range");
        }

        return new MessageChange(convId, target, sender, data, editedAt, deleted == 1, eventSeq, eventTs) { JournalId = recordId };
    }

    /// <summary>Encodes a record of erasure and retention rules (set by a call, or carried over a journal trim).</summary>
    public static byte[] EncodeRules(IReadOnlyList<LifecycleRule> rules)
    {
        int size = HeaderSize + TrailerSize;
        foreach (LifecycleRule rule in rules)
        {
            size += 1 + 8 + 4 + 2 + Utf8.GetByteCount(rule.Id);
        }

        var buffer = new byte[size];
        Span<byte> span = buffer;
        int pos = WriteHeader(span, RulesKind, rules.Count);
        foreach (LifecycleRule rule in rules)
        {
            span[pos] = (byte)rule.Kind;
            BinaryPrimitives.WriteInt64LittleEndian(span[(pos + 1)..], rule.Value);
            BinaryPrimitives.WriteUInt32LittleEndian(span[(pos + 9)..], rule.SenderId);
            pos += 13;
            pos += WriteString(span[pos..], rule.Id);
        }

        WriteTrailer(span, pos);
        return buffer;
    }

    private static LifecycleRule ReadRule(ReadOnlySpan<byte> span, ref int pos, long recordId)
    {
        var kind = (RuleKind)span[pos];
        long value = BinaryPrimitives.ReadInt64LittleEndian(span.Slice(pos + 1, 8));
        uint sender = BinaryPrimitives.ReadUInt32LittleEndian(span.Slice(pos + 9, 4));
        pos += 13;
        string id = ReadString(span, ref pos);
        if (kind is < RuleKind.ConversationDeleted or > RuleKind.Retention || value < 0 || (kind == RuleKind.SenderErased) != (id.Length == 0))
        {
            throw Damaged(recordId, "a rule is out of range");
        }

        return new LifecycleRule(kind, id, sender, value) { JournalId = recordId };
    }

    private static void ReadCarriedKey(ReadOnlySpan<byte> span, ref int pos, long recordId, List<IdempotencyEntry>? keys)
    {
        long seq = BinaryPrimitives.ReadInt64LittleEndian(span.Slice(pos, 8));
        long ts = BinaryPrimitives.ReadInt64LittleEndian(span.Slice(pos + 8, 8));
        uint fingerprint = BinaryPrimitives.ReadUInt32LittleEndian(span.Slice(pos + 16, 4));
        pos += 20;
        string convId = ReadString(span, ref pos);
        string key = ReadString(span, ref pos);
        keys?.Add(new IdempotencyEntry(convId, key, seq, ts, fingerprint, recordId));
    }

    private static int WriteHeader(Span<byte> span, ushort kind, int count)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], kind);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], count);
        return HeaderSize;
    }

    private static void WriteTrailer(Span<byte> span, int pos) =>
        BinaryPrimitives.WriteUInt32LittleEndian(span[pos..], Crc32C.Compute(span[..pos]));

    private static int WriteString(Span<byte> destination, string value)
    {
        int written = Utf8.GetBytes(value, destination[2..]);
        BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)written);
        return 2 + written;
    }

    private static string ReadString(ReadOnlySpan<byte> span, ref int pos)
    {
        int length = BinaryPrimitives.ReadUInt16LittleEndian(span.Slice(pos, 2));
        string value = Utf8.GetString(span.Slice(pos + 2, length));
        pos += 2 + length;
        return value;
    }

    private static BlockStoreException Damaged(long recordId, string reason) =>
        new($"Journal record {recordId} is damaged ({reason}); the data set needs repair before it can be opened.");
}
