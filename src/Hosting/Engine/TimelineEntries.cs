namespace BlockStore.Engine;

/// <summary>What the engine needs of an entry of any timeline kind.</summary>
internal interface ITimelineEntry
{
    long SeqId { get; }

    /// <summary>CreatedAt in Unix milliseconds.</summary>
    long Timestamp { get; }

    /// <summary>
    /// The most bytes the entry adds to a block's payload after an entry with <paramref name="previousSeqId"/> and
    /// <paramref name="previousTimestamp"/> (its own values when it is the block's first entry), besides <see cref="Shared"/>.
    /// </summary>
    int EncodedSize(long previousSeqId, long previousTimestamp);

    /// <summary>A part a block stores once for a run of entries that share it (a conversation entry's recipient set), or null.</summary>
    object? Shared { get; }

    /// <summary>The bytes <see cref="Shared"/> takes in a block; charged again only when the entry before does not share it.</summary>
    int SharedBytes { get; }
}

/// <summary>A conversation timeline entry: the message or event itself, and the recipients it was added for (null when unknown).</summary>
internal readonly struct ConvEntry(Message message, long timestamp, string[]? recipients = null, int recipientBytes = 0) : ITimelineEntry<ConvEntry>
{
    /// <summary>
    /// The longest fixed part of an entry: seq and timestamp deltas (10 each), sender (5), data length (5), recipient set index
    /// (5), kind (1) and target delta (10).
    /// </summary>
    public const int MaxFixedSize = (3 * Varint.MaxLength) + (3 * Varint.MaxLength32) + 1;

    public Message Message { get; } = message;

    public long SeqId => Message.SeqId;

    public long Timestamp { get; } = timestamp;

    /// <summary>The users whose timelines received the entry; null when not known (entries of blocks written before they were kept).</summary>
    public string[]? Recipients { get; } = recipients;

    /// <summary>What <see cref="Recipients"/> takes in a block's recipient set dictionary (<see cref="BlockCodec.RecipientSetSize"/>); 0 when null.</summary>
    public int RecipientBytes { get; } = recipientBytes;

    public static TimelineKind Kind => TimelineKind.Conversation;

    public int EncodedSize(long previousSeqId, long previousTimestamp) =>
        DeltaSize(SeqId, Timestamp, previousSeqId, previousTimestamp) + Varint.Size(Message.SenderId) + Varint.Size((ulong)Message.Data.Length) + Message.Data.Length
        + Varint.MaxLength32 + 1 + (Message.Kind == MessageKind.Message ? 0 : Varint.Size((ulong)(SeqId - Message.TargetSeqId)));

    public object? Shared => Recipients;

    public int SharedBytes => RecipientBytes;

    /// <summary>The bytes of an entry's SeqId and timestamp deltas; none for a block's first entry.</summary>
    public static int DeltaSize(long seqId, long timestamp, long previousSeqId, long previousTimestamp) =>
        seqId == previousSeqId ? 0 : Varint.Size((ulong)(seqId - previousSeqId)) + Varint.Size((ulong)(timestamp - previousTimestamp));

    public static byte[] Encode(string timelineId, ReadOnlySpan<ConvEntry> entries, BlockEncoding encoding) => BlockCodec.EncodeConversation(timelineId, entries, encoding);

    public static ConvEntry[] Decode(byte[] block, string timelineId, StoreIndex location) => BlockCodec.DecodeConversation(block, timelineId, location);

    public long MemorySize => Message.Data.Length + RecipientBytes;
}

/// <summary>A user timeline entry: a compact reference to a conversation message.</summary>
internal readonly struct UserEntry(long seqId, string convId, long timestamp, int convIdBytes) : ITimelineEntry<UserEntry>
{
    public long SeqId { get; } = seqId;

    public string ConvId { get; } = convId;

    public long Timestamp { get; } = timestamp;

    public int ConvIdBytes { get; } = convIdBytes;

    public static TimelineKind Kind => TimelineKind.User;

    public object? Shared => null;

    public int SharedBytes => 0;

    /// <summary>Charged as if the conversation id were new to the block's dictionary, so the charge never falls below the encoded size.</summary>
    public int EncodedSize(long previousSeqId, long previousTimestamp) =>
        ConvEntry.DeltaSize(SeqId, Timestamp, previousSeqId, previousTimestamp) + Varint.MaxLength32 + Varint.Size((ulong)ConvIdBytes) + ConvIdBytes;

    public static byte[] Encode(string timelineId, ReadOnlySpan<UserEntry> entries, BlockEncoding encoding) => BlockCodec.EncodeUser(timelineId, entries, encoding);

    public static UserEntry[] Decode(byte[] block, string timelineId, StoreIndex location) => BlockCodec.DecodeUser(block, timelineId, location);

    public long MemorySize => 0;
}

/// <summary>The per-kind operations of an entry type, so timeline code is written once and specialised per kind.</summary>
internal interface ITimelineEntry<TSelf> : ITimelineEntry
    where TSelf : struct, ITimelineEntry<TSelf>
{
    static abstract TimelineKind Kind { get; }

    /// <summary>The bytes a decoded entry holds beyond its fixed allowance (a message body; nothing for a shared id).</summary>
    long MemorySize { get; }

    static abstract byte[] Encode(string timelineId, ReadOnlySpan<TSelf> entries, BlockEncoding encoding);

    static abstract TSelf[] Decode(byte[] block, string timelineId, StoreIndex location);
}
