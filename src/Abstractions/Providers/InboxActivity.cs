namespace BlockStore.Providers;

/// <summary>New activity of one user in one conversation, to add to the inbox index.</summary>
/// <param name="UserId">The user id.</param>
/// <param name="ConvId">The conversation id.</param>
/// <param name="LastSeqId">The newest SeqId of the new entries; the stored value becomes the larger of the two.</param>
/// <param name="Added">How many counted entries to add to <see cref="InboxRow.Count"/>.</param>
public readonly record struct InboxActivity(string UserId, string ConvId, long LastSeqId, long Added);
