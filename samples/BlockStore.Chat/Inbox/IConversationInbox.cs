namespace BlockStore.Chat.Inbox;

/// <summary>A user's conversations with unread counts, and marking a conversation read: everything the pages need of an inbox.</summary>
/// <remarks>The app talks to the inbox only through this interface, so <see cref="TimelineInbox"/> can be swapped for a store-side inbox.</remarks>
public interface IConversationInbox
{
    /// <summary>Returns the user's conversations, most recent first, with unread counts and the SeqId to watch from.</summary>
    Task<InboxView> GetAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Marks the user's messages of a conversation up to <paramref name="seqId"/> as read.</summary>
    Task MarkReadAsync(string userId, string convId, long seqId, CancellationToken cancellationToken);
}

/// <summary>One conversation as the inbox shows it.</summary>
/// <param name="ConvId">The conversation id.</param>
/// <param name="Unread">Messages after the user's read position in this conversation.</param>
/// <param name="Last">The newest message, if any.</param>
public sealed record InboxEntry(string ConvId, int Unread, Message? Last);

/// <summary>A user's inbox at one moment.</summary>
/// <param name="Entries">Every conversation of the user, most recent first.</param>
/// <param name="WatchAfterSeqId">The newest SeqId the counts include: watching the user's timeline from here misses and repeats nothing.</param>
public sealed record InboxView(IReadOnlyList<InboxEntry> Entries, long WatchAfterSeqId);
