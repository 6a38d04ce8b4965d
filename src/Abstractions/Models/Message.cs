namespace BlockStore;

/// <summary>A stored message: its global sequence id, conversation, sender, acceptance time and body.</summary>
/// <param name="SeqId">The global, strictly increasing sequence id assigned by the store.</param>
/// <param name="ConvId">The conversation the message belongs to.</param>
/// <param name="SenderId">The sender's numeric id.</param>
/// <param name="CreatedAt">When the store accepted the message (UTC, millisecond precision).</param>
/// <param name="Data">The message body, exactly as it was added.</param>
public sealed record Message(long SeqId, string ConvId, uint SenderId, DateTimeOffset CreatedAt, ReadOnlyMemory<byte> Data);
