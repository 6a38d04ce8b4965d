namespace BlockStore;

/// <summary>What a timeline entry is: a message, or an event that changed an earlier message.</summary>
public enum MessageKind : byte
{
    /// <summary>A message added by <see cref="IMessageStore.AddMessageAsync(string, uint, ReadOnlyMemory{byte}, IReadOnlyCollection{string}, CancellationToken)"/> or a batch.</summary>
    Message = 0,

    /// <summary>An edit event: <see cref="Message.TargetSeqId"/> got the body in <see cref="Message.Data"/>.</summary>
    Edit = 1,

    /// <summary>A delete event: <see cref="Message.TargetSeqId"/> became a tombstone.</summary>
    Delete = 2,
}
