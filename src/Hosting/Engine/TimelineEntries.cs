namespace BlockStore.Engine;

/// <summary>What the engine needs of an entry of any timeline kind.</summary>
internal interface ITimelineEntry
{
    long SeqId { get; }

    /// <summary>CreatedAt in Unix milliseconds.</summary>
    long Timestamp { get; }

    /// <summary>The entry's encoded size in a block.</summary>
    int EncodedSize { get; }
}

/// <summary>A conversation timeline entry: the message itself.</summary>
internal readonly struct ConvEntry(Message message, long timestamp) : ITimelineEntry<ConvEntry>
{
    /// <summary>seq (8) + timestamp (8) + sender (4) + data length (4).</summary>
    public const int FixedSize = 24;

    public Message Message { get; } = message;

    public long SeqId => Message.SeqId;

    public long Timestamp { get; } = timestamp;

    public int EncodedSize => FixedSize + Message.Data.Length;

    public static TimelineKind Kind => TimelineKind.Conversation;

    public static byte[] Encode(string timelineId, ReadOnlySpan<ConvEntry> entries) => BlockCodec.EncodeConversation(timelineId, entries);

    public static ConvEntry[] Decode(byte[] block, string timelineId, StoreIndex location) => BlockCodec.DecodeConversation(block, timelineId, location);
}

/// <summary>A user timeline entry: a compact reference to a conversation message.</summary>
internal readonly struct UserEntry(long seqId, string convId, long timestamp, int convIdBytes) : ITimelineEntry<UserEntry>
{
    /// <summary>seq (8) + timestamp (8) + conversation id length (2).</summary>
    public const int FixedSize = 18;

    public long SeqId { get; } = seqId;

    public string ConvId { get; } = convId;

    public long Timestamp { get; } = timestamp;

    public int ConvIdBytes { get; } = convIdBytes;

    public int EncodedSize => FixedSize + ConvIdBytes;

    public static TimelineKind Kind => TimelineKind.User;

    public static byte[] Encode(string timelineId, ReadOnlySpan<UserEntry> entries) => BlockCodec.EncodeUser(timelineId, entries);

    public static UserEntry[] Decode(byte[] block, string timelineId, StoreIndex location) => BlockCodec.DecodeUser(block, timelineId, location);
}

/// <summary>The per-kind operations of an entry type, so timeline code is written once and specialised per kind.</summary>
internal interface ITimelineEntry<TSelf> : ITimelineEntry
    where TSelf : struct, ITimelineEntry<TSelf>
{
    static abstract TimelineKind Kind { get; }

    static abstract byte[] Encode(string timelineId, ReadOnlySpan<TSelf> entries);

    static abstract TSelf[] Decode(byte[] block, string timelineId, StoreIndex location);
}
