namespace BlockStore;

/// <summary>Which kind of timeline: a conversation's or a user's.</summary>
public enum TimelineKind : byte
{
    /// <summary>A conversation timeline, holding message bodies.</summary>
    Conversation = 1,

    /// <summary>A user timeline, holding references (SeqId, ConvId) to conversation messages.</summary>
    User = 2,
}
