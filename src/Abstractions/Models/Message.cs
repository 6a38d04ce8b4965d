namespace BlockStore;

/// <summary>A stored message or event: its global sequence id, conversation, sender, acceptance time and body.</summary>
/// <param name="SeqId">The global, strictly increasing sequence id assigned by the store.</param>
/// <param name="ConvId">The conversation the message belongs to.</param>
/// <param name="SenderId">The sender's numeric id (for an event, the sender of the message it changed).</param>
/// <param name="CreatedAt">When the store accepted the message or event (UTC, millisecond precision).</param>
/// <param name="Data">The message body in its current state: the latest edit, empty once deleted.</param>
public sealed record Message(long SeqId, string ConvId, uint SenderId, DateTimeOffset CreatedAt, ReadOnlyMemory<byte> Data)
{
    /// <summary>Whether this is a message or an edit or delete event. Default: <see cref="MessageKind.Message"/>.</summary>
    public MessageKind Kind { get; init; }

    /// <summary>The SeqId of the message an event changed; 0 for a message.</summary>
    public long TargetSeqId { get; init; }

    /// <summary>When the message was last edited (UTC, millisecond precision); null when never edited or for an event.</summary>
    public DateTimeOffset? EditedAt { get; init; }

    /// <summary>True for a deleted message (a tombstone, with empty <see cref="Data"/>).</summary>
    public bool IsDeleted { get; init; }
}
