namespace BlockStore.Engine;

/// <summary>
/// A validated message on its way through the writer: owned body, distinct recipients, optional idempotency key, and (once
/// assigned) SeqId and timestamp, or the SeqId of the message stored first with its key.
/// </summary>
internal sealed class PendingMessage(string convId, uint senderId, ReadOnlyMemory<byte> data, string[] userIds)
{
    public string ConvId { get; } = convId;

    public uint SenderId { get; } = senderId;

    public ReadOnlyMemory<byte> Data { get; } = data;

    public string[] UserIds { get; } = userIds;

    /// <summary>The caller's idempotency key, scoped to <see cref="ConvId"/>; null for none.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Identifies sender and body, to tell a retry from another message reusing its key; set only with a key.</summary>
    public uint Fingerprint { get; init; }

    /// <summary>Set by the writer instead of <see cref="SeqId"/> when the key was already used: the SeqId of the message stored first.</summary>
    public long DuplicateOf { get; set; }

    private int _journalSize;

    /// <summary>The UTF-8 bytes of the conversation id, the recipients and the idempotency key together, when validation measured them; else -1.</summary>
    public int IdBytes { get; init; } = -1;

    /// <summary>The bytes this message takes in a journal record (computed once).</summary>
    public int JournalSize => _journalSize != 0 ? _journalSize : _journalSize = JournalCodec.MessageSize(this);

    /// <summary>A message, or an edit or delete event of <see cref="TargetSeqId"/>.</summary>
    public MessageKind Kind { get; init; }

    /// <summary>The SeqId of the message an event changes; 0 for a message.</summary>
    public long TargetSeqId { get; init; }

    public long SeqId { get; set; }

    /// <summary>The CreatedAt the caller asked for, in Unix milliseconds; 0 lets the store's clock set it.</summary>
    public long RequestedTimestamp { get; set; }

    /// <summary>CreatedAt in Unix milliseconds.</summary>
    public long Timestamp { get; set; }
}
