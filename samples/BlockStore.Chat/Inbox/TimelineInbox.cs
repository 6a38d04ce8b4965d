namespace BlockStore.Chat.Inbox;

/// <summary>
/// The inbox built from what BlockStore offers today: the user's timeline after their checkpoint, grouped by
/// conversation and compared with per-conversation read marks. The checkpoint moves to the end of the longest read
/// prefix of the timeline, so the scan stays short. Replace this class to use an inbox kept by the store.
/// </summary>
internal sealed class TimelineInbox(IMessageStore store, ChatDirectory directory, ReadMarks marks) : IConversationInbox
{
    private const int ScanPage = 500;

    public async Task<InboxView> GetAsync(string userId, CancellationToken cancellationToken)
    {
        long checkpoint = await store.GetUserCheckpointAsync(userId, cancellationToken);
        long newest = checkpoint;
        var unread = new Dictionary<string, int>(StringComparer.Ordinal);
        var last = new Dictionary<string, Message>(StringComparer.Ordinal);
        await foreach (Message message in AfterAsync(userId, checkpoint, cancellationToken))
        {
            newest = message.SeqId;
            last[message.ConvId] = message;
            if (message.SeqId > marks.Get(userId, message.ConvId))
            {
                unread[message.ConvId] = unread.GetValueOrDefault(message.ConvId) + 1;
            }
        }

        var entries = new List<InboxEntry>();
        foreach (ChatConversation conversation in directory.ConversationsOf(userId))
        {
            if (!last.TryGetValue(conversation.Id, out Message? newestOfConv))
            {
                IReadOnlyList<Message> page = await store.GetConvMessagesAsync(conversation.Id, 1, cancellationToken: cancellationToken);
                newestOfConv = page.Count > 0 ? page[0] : null;
            }

            entries.Add(new InboxEntry(conversation.Id, unread.GetValueOrDefault(conversation.Id), newestOfConv));
        }

        entries.Sort(static (a, b) => (b.Last?.SeqId ?? 0).CompareTo(a.Last?.SeqId ?? 0));
        return new InboxView(entries, newest);
    }

    public async Task MarkReadAsync(string userId, string convId, long seqId, CancellationToken cancellationToken)
    {
        marks.Advance(userId, convId, seqId);
        long checkpoint = await store.GetUserCheckpointAsync(userId, cancellationToken);
        long readThrough = checkpoint;
        await foreach (Message message in AfterAsync(userId, checkpoint, cancellationToken))
        {
            if (message.SeqId > marks.Get(userId, message.ConvId))
            {
                break;
            }

            readThrough = message.SeqId;
        }

        if (readThrough > checkpoint)
        {
            await store.UpdateUserCheckpointAsync(userId, readThrough, cancellationToken);
        }
    }

    private async IAsyncEnumerable<Message> AfterAsync(string userId, long afterSeqId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            IReadOnlyList<Message> page = await store.GetUserMessagesAsync(userId, afterSeqId, ScanPage, cancellationToken);
            foreach (Message message in page)
            {
                yield return message;
            }

            if (page.Count < ScanPage)
            {
                yield break;
            }

            afterSeqId = page[^1].SeqId;
        }
    }
}
