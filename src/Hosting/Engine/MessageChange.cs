namespace BlockStore.Engine;

/// <summary>
/// The current state of an edited or deleted message whose block still holds its original body: the latest body and edit
/// time, or the tombstone, and the newest event that changed it. Immutable; the writer replaces it as a whole.
/// </summary>
internal sealed record MessageChange(string ConvId, long TargetSeqId, uint SenderId, ReadOnlyMemory<byte> Data, long EditedAt, bool Deleted, long EventSeqId, long EventTimestamp) : ICarriedState
{
    /// <summary>The bytes a change takes in a carried-changes record besides its conversation id and body (see <see cref="JournalCodec"/>).</summary>
    public const int FixedEncodedSize = 8 + 8 + 8 + 8 + 4 + 1 + 2 + 4;

    /// <summary>The journal record that holds this state; sealing carries it to a new record before it drops this one.</summary>
    public long JournalId { get; set; }

    /// <summary>Set once a compaction found the target's block without the body (kept in memory only: after a restart the next compaction looks again).</summary>
    public bool Compacted { get; set; }

    /// <summary>The message <paramref name="message"/> in this state.</summary>
    public Message Apply(Message message) => Deleted
        ? message with { Data = ReadOnlyMemory<byte>.Empty, IsDeleted = true, EditedAt = EditedAt == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(EditedAt) }
        : message with { Data = Data, EditedAt = DateTimeOffset.FromUnixTimeMilliseconds(EditedAt) };

    /// <summary>The delete event that made this tombstone, as <see cref="IMessageStore.DeleteMessageAsync"/> returns it.</summary>
    public Message DeleteEvent() =>
        new(EventSeqId, ConvId, SenderId, DateTimeOffset.FromUnixTimeMilliseconds(EventTimestamp), ReadOnlyMemory<byte>.Empty) { Kind = MessageKind.Delete, TargetSeqId = TargetSeqId };
}
