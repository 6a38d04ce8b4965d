namespace BlockStore;

/// <summary>One conversation in a user's inbox: its newest message for the user, the user's read marker in it and the unread count.</summary>
/// <param name="ConvId">The conversation id.</param>
/// <param name="LastMessage">The newest message of the conversation in the user's timeline, in its current state (edited: the new body; deleted: the tombstone, with <see cref="Message.IsDeleted"/> and no data); its SeqId orders the inbox.</param>
/// <param name="ReadSeqId">The user's read marker in the conversation: the last SeqId they have read there, 0 if none.</param>
/// <param name="UnreadCount">How many of the conversation's messages in the user's timeline are above the read marker, not counting the user's own, deleted or expired messages.</param>
public sealed record InboxEntry(string ConvId, Message LastMessage, long ReadSeqId, long UnreadCount);
