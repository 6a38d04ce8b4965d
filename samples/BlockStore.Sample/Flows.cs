using System.Diagnostics;
using System.Text;

namespace BlockStore.Sample;

/// <summary>
/// Walks the core usage flows on the seeded data: a user comes online and reads their unread messages
/// through the checkpoint, a group receives new messages, the user comes back for them, their inbox lists the conversations
/// with unread badges and one is read, a reader pages back through the busiest group's history, a time-range query picks
/// a slice of it, a message is edited and another deleted, and finally a one-to-one chat is deleted and the data set compacted.
/// </summary>
internal sealed class Flows(IMessageStore store, ChatDataGenerator generator, ChatWorld world, TextWriter output)
{
    private const int ConversationsShown = 4;
    private const int LinesShown = 2;
    private const int NewGroupMessages = 3;
    private const int PageSize = 20;
    private const int Pages = 3;
    private const int TimeRangeLimit = 1_000;

    /// <summary>Runs the flows; returns what the closing compaction did, for the summary.</summary>
    public async Task<CompactionReport> RunAsync(SeedResult seeded, CancellationToken cancellationToken)
    {
        Conversation group = world.Conversations
            .Where(static c => c.IsGroup)
            .MaxBy(c => seeded.MessagesPerConversation.GetValueOrDefault(c.ConvId))!;
        ChatUser user = MostConnectedMember(group);

        Section("1. A user comes online and reads everything since their checkpoint");
        await ComeOnlineAsync(user, cancellationToken);

        Section($"2. {NewGroupMessages} messages are sent to the busiest group while {user.Name} is away");
        await SendToGroupAsync(group, user, cancellationToken);

        Section($"3. {user.Name} comes back: only the new messages are unread");
        await ComeOnlineAsync(user, cancellationToken);

        Section($"4. {user.Name}'s inbox: conversations by latest activity, with unread badges");
        await ShowInboxAsync(user, cancellationToken);

        Section($"5. Paging back through \"{group.Title}\", {PageSize} messages a page");
        await PageBackAsync(group, cancellationToken);

        Section($"6. A time-range query on \"{group.Title}\"");
        await QueryTimeRangeAsync(group, seeded, cancellationToken);

        Section($"7. In \"{group.Title}\" one message is edited and another deleted; {user.Name} syncs the events");
        await EditAndDeleteAsync(group, user, cancellationToken);

        Conversation chat = world.Conversations
            .Where(static c => !c.IsGroup)
            .MaxBy(c => seeded.MessagesPerConversation.GetValueOrDefault(c.ConvId))!;
        Section($"8. \"{chat.Title}\" is deleted on request, and the data set compacted so the bytes are gone");
        return await DeleteAndCompactAsync(chat, seeded, cancellationToken);
    }

    private async Task<CompactionReport> DeleteAndCompactAsync(Conversation chat, SeedResult seeded, CancellationToken cancellationToken)
    {
        await store.DeleteConversationAsync(chat.ConvId, cancellationToken);
        IReadOnlyList<Message> left = await store.GetConvMessagesAsync(chat.ConvId, 10, cancellationToken: cancellationToken);
        if (left.Count != 0)
        {
            throw new InvalidOperationException($"After DeleteConversationAsync({chat.ConvId}) {left.Count} of its messages are still read.");
        }

        output.WriteLine($"DeleteConversationAsync({chat.ConvId}): {seeded.MessagesPerConversation.GetValueOrDefault(chat.ConvId):N0} messages gone from every read at once");
        CompactionReport report = await store.CompactAsync(cancellationToken);
        output.WriteLine(
            $"CompactAsync: {report.TimelinesRewritten:N0} timelines rewritten ({report.TimelinesDeleted:N0} removed whole), {report.EntriesRemoved:N0} entries " +
            $"and {report.BodiesErased:N0} bodies removed, {report.BlocksRewritten:N0} blocks rewritten and {report.BlocksRemoved:N0} removed, " +
            $"in {report.Duration.TotalMilliseconds:N0} ms; store bytes {report.StoreBytesBefore:N0} → {report.StoreBytesAfter:N0}");
        return report;
    }

    private async Task EditAndDeleteAsync(Conversation group, ChatUser user, CancellationToken cancellationToken)
    {
        IReadOnlyList<Message> newest = await store.GetConvMessagesAsync(group.ConvId, 2, cancellationToken: cancellationToken);
        if (newest.Count < 2)
        {
            output.WriteLine("  fewer than two messages: nothing to change");
            return;
        }

        long checkpoint = await store.GetUserCheckpointAsync(user.UserId, cancellationToken);
        Message edit = await store.EditMessageAsync(group.ConvId, newest[0].SeqId, Encoding.UTF8.GetBytes($"{Encoding.UTF8.GetString(newest[0].Data.Span)} (typo fixed)"), cancellationToken);
        Message delete = await store.DeleteMessageAsync(group.ConvId, newest[1].SeqId, cancellationToken);
        output.WriteLine($"EditMessageAsync(#{newest[0].SeqId}) → edit event #{edit.SeqId}; DeleteMessageAsync(#{newest[1].SeqId}) → delete event #{delete.SeqId}");

        IReadOnlyList<Message> history = await store.GetConvMessagesAsync(group.ConvId, 2, cancellationToken: cancellationToken);
        if (history.Count != 2 || history[0].EditedAt is null || !history[1].IsDeleted || !history[1].Data.IsEmpty)
        {
            throw new InvalidOperationException("After the edit and the delete, the history does not show the edited message and the tombstone.");
        }

        output.WriteLine("History (GetConvMessagesAsync, limit 2): the edited message and a tombstone; events are not history entries");
        WriteMessage(history[0], "      ", $"  (edited {history[0].EditedAt:HH:mm:ss.fff})");
        output.WriteLine($"      #{history[1].SeqId,-7} {history[1].CreatedAt:HH:mm:ss.fff}  {TerminalText.PadRight(world.User(history[1].SenderId).Name, 20)} (deleted)");

        IReadOnlyList<Message> events = await store.GetUserMessagesAsync(user.UserId, checkpoint, 100, cancellationToken);
        output.WriteLine($"{user.Name}'s sync after checkpoint {checkpoint:N0} (GetUserMessagesAsync): {string.Join(", ", events.Select(static m => $"#{m.SeqId} {m.Kind} of #{m.TargetSeqId}"))}");
    }

    private async Task ComeOnlineAsync(ChatUser user, CancellationToken cancellationToken)
    {
        long checkpoint = await store.GetUserCheckpointAsync(user.UserId, cancellationToken);
        var watch = Stopwatch.StartNew();
        IReadOnlyList<Message> unread = await store.GetMessagesAfterCheckpointAsync(user.UserId, cancellationToken);
        watch.Stop();

        var byConversation = unread.GroupBy(static m => m.ConvId).OrderByDescending(static g => g.Count()).ToList();
        output.WriteLine($"{user.Name} ({user.UserId}) is in {Count(world.Conversations.Count(c => c.Members.Contains(user)), "conversation")}; checkpoint {checkpoint:N0}");
        output.WriteLine($"GetMessagesAfterCheckpointAsync: {unread.Count:N0} unread in {Count(byConversation.Count, "conversation")} ({watch.Elapsed.TotalMilliseconds:N2} ms)");
        foreach (IGrouping<string, Message> messages in byConversation.Take(ConversationsShown))
        {
            Conversation conversation = world.Conversation(messages.Key);
            output.WriteLine($"  {TerminalText.PadRight(conversation.Title, 34)} {Kind(conversation),-16} {messages.Count(),7:N0} unread");
            foreach (Message message in messages.TakeLast(LinesShown))
            {
                WriteMessage(message, "      ");
            }
        }

        if (byConversation.Count > ConversationsShown)
        {
            int rest = byConversation.Skip(ConversationsShown).Sum(static g => g.Count());
            output.WriteLine($"  … and {Count(byConversation.Count - ConversationsShown, "more conversation")} with {rest:N0} unread");
        }

        if (unread.Count == 0)
        {
            return;
        }

        long lastSeqId = unread[^1].SeqId;
        await store.UpdateUserCheckpointAsync(user.UserId, lastSeqId, cancellationToken);
        long moved = await store.GetUserCheckpointAsync(user.UserId, cancellationToken);
        IReadOnlyList<Message> left = await store.GetMessagesAfterCheckpointAsync(user.UserId, cancellationToken);
        if (moved != lastSeqId || left.Count != 0)
        {
            throw new InvalidOperationException($"After UpdateUserCheckpointAsync({user.UserId}, {lastSeqId}) the checkpoint is {moved} and {left.Count} messages are still unread.");
        }

        output.WriteLine($"Pushed {unread.Count:N0} messages; UpdateUserCheckpointAsync moved the checkpoint {checkpoint:N0} → {moved:N0}; unread now: {left.Count}");
    }

    private async Task SendToGroupAsync(Conversation group, ChatUser away, CancellationToken cancellationToken)
    {
        for (int i = 0; i < NewGroupMessages; i++)
        {
            NewMessage message = generator.Message(group, notFrom: away);
            Message stored = await store.AddMessageAsync(message.ConvId, message.SenderId, message.Data, message.UserIds, cancellationToken);
            WriteMessage(stored, "  ", $" → {message.UserIds.Count} members");
        }
    }

    private async Task ShowInboxAsync(ChatUser user, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        IReadOnlyList<InboxEntry> inbox = await store.GetInboxAsync(user.UserId, ConversationsShown, cancellationToken: cancellationToken);
        watch.Stop();
        long total = await store.GetUnreadTotalAsync(user.UserId, cancellationToken);
        output.WriteLine($"GetInboxAsync(limit {ConversationsShown}): {Count(inbox.Count, "conversation")} ({watch.Elapsed.TotalMilliseconds:N2} ms); {total:N0} unread in all");
        foreach (InboxEntry entry in inbox)
        {
            Conversation conversation = world.Conversation(entry.ConvId);
            string badge = entry.UnreadCount > 0 ? $"({entry.UnreadCount:N0} unread)" : "";
            output.WriteLine($"  {TerminalText.PadRight(conversation.Title, 34)} {Kind(conversation),-16} {badge}");
            WriteMessage(entry.LastMessage, "      ");
        }

        if (inbox.Count == 0)
        {
            return;
        }

        InboxEntry top = inbox[0];
        await store.UpdateReadMarkerAsync(user.UserId, top.ConvId, top.LastMessage.SeqId, cancellationToken);
        long left = await store.GetUnreadCountAsync(user.UserId, top.ConvId, cancellationToken);
        long totalAfter = await store.GetUnreadTotalAsync(user.UserId, cancellationToken);
        if (left != 0 || totalAfter != total - top.UnreadCount)
        {
            throw new InvalidOperationException($"After UpdateReadMarkerAsync({user.UserId}, {top.ConvId}, {top.LastMessage.SeqId}) {left} are unread there and {totalAfter} in all.");
        }

        output.WriteLine($"UpdateReadMarkerAsync on \"{world.Conversation(top.ConvId).Title}\" at #{top.LastMessage.SeqId}: unread there {top.UnreadCount:N0} → 0, in all {total:N0} → {totalAfter:N0}");
    }

    private async Task PageBackAsync(Conversation group, CancellationToken cancellationToken)
    {
        TimelineInfo timeline = await store.GetOrCreateConvTimelineAsync(group.ConvId, cancellationToken);
        output.WriteLine($"{Kind(group)}: {timeline.MessageCount:N0} messages, {timeline.SealedBlockCount:N0} sealed blocks, last SeqId {timeline.LastSeqId:N0}");
        long beforeSeqId = 0;
        for (int page = 1; page <= Pages; page++)
        {
            IReadOnlyList<Message> messages = await store.GetConvMessagesAsync(group.ConvId, PageSize, beforeSeqId, cancellationToken);
            if (messages.Count == 0)
            {
                output.WriteLine($"  page {page}: no older messages");
                return;
            }

            EnsurePage(messages, beforeSeqId);
            output.WriteLine($"  page {page}: GetConvMessagesAsync(limit {PageSize}, beforeSeqId {beforeSeqId}) → #{messages[0].SeqId}..#{messages[^1].SeqId}, newest {LinesShown} shown");
            foreach (Message message in messages.TakeLast(LinesShown))
            {
                WriteMessage(message, "      ");
            }

            beforeSeqId = messages[0].SeqId;
        }
    }

    private async Task QueryTimeRangeAsync(Conversation group, SeedResult seeded, CancellationToken cancellationToken)
    {
        TimeSpan tenth = TimeSpan.FromTicks(Math.Max((seeded.LastCreatedAt - seeded.FirstCreatedAt).Ticks / 10, TimeSpan.TicksPerMillisecond));
        DateTimeOffset from = seeded.MiddleCreatedAt;
        DateTimeOffset to = from + tenth;
        IReadOnlyList<Message> messages = await store.GetConvMessagesByTimeAsync(group.ConvId, from, to, TimeRangeLimit, cancellationToken);
        if (messages.Any(m => m.CreatedAt < from || m.CreatedAt >= to))
        {
            throw new InvalidOperationException($"GetConvMessagesByTimeAsync returned a message outside [{from:O}, {to:O}).");
        }

        output.WriteLine($"A tenth of the seeding run, from its middle message: {from:HH:mm:ss.fff} ≤ CreatedAt < {to:HH:mm:ss.fff} UTC");
        output.WriteLine($"GetConvMessagesByTimeAsync(limit {TimeRangeLimit:N0}) → {Count(messages.Count, "message")}{(messages.Count > 0 ? $", oldest {LinesShown} shown" : "")}");
        foreach (Message message in messages.Take(LinesShown))
        {
            WriteMessage(message, "      ");
        }
    }

    private static void EnsurePage(IReadOnlyList<Message> messages, long beforeSeqId)
    {
        for (int i = 0; i < messages.Count; i++)
        {
            bool ordered = i == 0 || messages[i - 1].SeqId < messages[i].SeqId;
            bool older = beforeSeqId == 0 || messages[i].SeqId < beforeSeqId;
            if (!ordered || !older)
            {
                throw new InvalidOperationException($"GetConvMessagesAsync(beforeSeqId {beforeSeqId}) returned #{messages[i].SeqId} out of order.");
            }
        }
    }

    private static string Count(long count, string noun) => count == 1 ? $"1 {noun}" : $"{count:N0} {noun}s";

    private static string Kind(Conversation conversation) =>
        conversation.IsGroup ? $"group of {conversation.Members.Count}" : "one-to-one";

    private ChatUser MostConnectedMember(Conversation group)
    {
        var memberships = world.Conversations.SelectMany(static c => c.Members).CountBy(static u => u.SenderId).ToDictionary();
        return group.Members.MaxBy(m => memberships[m.SenderId])!;
    }

    private void Section(string title)
    {
        output.WriteLine();
        output.WriteLine(TerminalText.Heading(title));
    }

    private void WriteMessage(Message message, string indent, string suffix = "")
    {
        string sender = TerminalText.PadRight(world.User(message.SenderId).Name, 20);
        string text = TerminalText.Cut(Encoding.UTF8.GetString(message.Data.Span), 64);
        output.WriteLine($"{indent}#{message.SeqId,-7} {message.CreatedAt:HH:mm:ss.fff}  {sender} {text}{suffix}");
    }
}
