namespace BlockStore.Providers;

/// <summary>New activity of one user in one conversation, to add to the inbox index.</summary>
/// <param name="UserId">The user id.</param>
/// <param name="ConvId">The conversation id.</param>
/// <param name="LastSeqId">The newest SeqId of the new entries (0 when only entries were deleted); the stored value becomes the larger of the two.</param>
/// <param name="Added">How many counted entries to add to <see cref="InboxRow.Count"/>; negative when more were deleted than added.</param>
/// <param name="ReadRemoved">How many deleted entries to take off <see cref="InboxRow.ReadCount"/>: those at or below the stored read marker.</param>
public readonly record struct InboxActivity(string UserId, string ConvId, long LastSeqId, long Added, long ReadRemoved = 0);
