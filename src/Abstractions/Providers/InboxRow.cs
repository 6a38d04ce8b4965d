namespace BlockStore.Providers;

/// <summary>What a provider's inbox index holds for one user in one conversation.</summary>
/// <param name="ConvId">The conversation id.</param>
/// <param name="LastSeqId">The newest SeqId of the conversation in the user's timeline, or 0 when only a read marker is stored.</param>
/// <param name="Count">How many messages of the conversation the user's timeline holds, not counting the user's own or deleted messages.</param>
/// <param name="ReadSeqId">The user's read marker in the conversation, 0 if none.</param>
/// <param name="ReadCount">How many of the counted entries are at or below the read marker.</param>
public readonly record struct InboxRow(string ConvId, long LastSeqId, long Count, long ReadSeqId, long ReadCount);
