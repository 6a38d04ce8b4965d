using System.Collections.Concurrent;

namespace BlockStore.Engine;

/// <summary>
/// What a read of one conversation must apply to its entries: the edits and deletes of its messages, the part of it a delete
/// removed, what has expired, and erased senders. Taken once per read, so a read applies one consistent set of rules.
/// </summary>
internal readonly struct ConvView
{
    private readonly LifecycleRules? _erasure;

    public ConvView(ConcurrentDictionary<long, MessageChange>? changes, LifecycleRules rules, string convId)
    {
        Changes = changes;
        if (rules.IsEmpty)
        {
            ExpiredBefore = long.MinValue;
            return;
        }

        _erasure = rules.HasErasedSenders ? rules : null;
        DeletedThrough = rules.DeletedThrough(convId);
        ExpiredBefore = rules.ExpiredBefore(convId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    /// <summary>The edits and deletes of the conversation's messages, or null when there are none.</summary>
    public ConcurrentDictionary<long, MessageChange>? Changes { get; }

    /// <summary>Entries up to this SeqId were removed by a conversation delete.</summary>
    public long DeletedThrough { get; }

    /// <summary>Entries created before this (Unix milliseconds) have expired.</summary>
    public long ExpiredBefore { get; }

    /// <summary>True when no read may return the entry: its conversation history was deleted or it expired.</summary>
    public bool Hidden(in ConvEntry entry) => entry.SeqId <= DeletedThrough || entry.Timestamp < ExpiredBefore;

    /// <summary>True when a message's or event's body is erased with its sender's messages.</summary>
    public bool Erased(Message message) => _erasure is { } rules && message.Kind != MessageKind.Delete && rules.ErasedThrough(message.SenderId) >= message.SeqId;

    /// <summary>The message or event in its current state: edited, deleted or erased.</summary>
    public Message Current(Message message)
    {
        if (Erased(message))
        {
            return message.Kind == MessageKind.Message
                ? message with { Data = ReadOnlyMemory<byte>.Empty, IsDeleted = true }
                : message with { Data = ReadOnlyMemory<byte>.Empty };
        }

        return StoreEngine.Current(message, Changes);
    }
}
