namespace BlockStore.Providers;

/// <summary>A user's read marker in one conversation, to store in the inbox index.</summary>
/// <param name="UserId">The user id.</param>
/// <param name="ConvId">The conversation id.</param>
/// <param name="ReadSeqId">The new read marker.</param>
/// <param name="ReadCount">How many counted entries are at or below it.</param>
public readonly record struct InboxMarker(string UserId, string ConvId, long ReadSeqId, long ReadCount);
