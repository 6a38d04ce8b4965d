using System.Text;
using Microsoft.Extensions.Options;

namespace BlockStore.Chat;

/// <summary>The JSON API the pages call. Endpoints only call the store and the directory; bad input surfaces as <see cref="ArgumentException"/> and becomes a 400 in <see cref="ArgumentExceptionHandler"/>.</summary>
internal static class ChatApi
{
    /// <summary>The longest message text accepted, in characters.</summary>
    private const int MaxTextLength = 2000;

    /// <summary>The largest history page a client may ask for.</summary>
    private const int MaxPage = 200;

    /// <summary>The most conversations the inbox lists: more than any user of the sample is in.</summary>
    private const int MaxConversations = 500;

    public static void MapChatApi(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder api = app.MapGroup("/api");
        api.MapGet("/users", (ChatDirectory directory) => directory.Users.Select(u => new { u.Id, u.Name }));
        api.MapGet("/users/{userId}/inbox", GetInboxAsync);
        api.MapPost("/users/{userId}/conversations/{convId}/read", MarkReadAsync);
        api.MapGet("/conversations/{convId}/messages", GetHistoryAsync);
        api.MapPost("/conversations/{convId}/messages", SendAsync);
    }

    private static async Task<IResult> GetInboxAsync(string userId, IMessageStore store, ChatDirectory directory, CancellationToken cancellationToken)
    {
        ChatUser user = RequireUser(directory, userId);

        // One read is one consistent view: it counts every message of the user up to the newest entry's SeqId and none
        // after it, so watching the user's timeline from there misses and repeats nothing.
        IReadOnlyList<InboxEntry> entries = await store.GetInboxAsync(userId, MaxConversations, cancellationToken: cancellationToken);
        var listed = entries.Select(e => e.ConvId).ToHashSet(StringComparer.Ordinal);
        return Results.Ok(new
        {
            User = new { user.Id, user.Name },
            WatchAfterSeqId = entries.Count > 0 ? entries[0].LastMessage.SeqId : 0,
            Conversations = entries
                .Select(entry => Describe(directory.FindConversation(entry.ConvId)!, userId, entry.UnreadCount, entry.LastMessage, directory))
                .Concat(directory.ConversationsOf(userId).Where(c => !listed.Contains(c.Id)).Select(c => Describe(c, userId, 0, null, directory))),
        });
    }

    /// <summary>One conversation of the inbox as the pages show it.</summary>
    private static object Describe(ChatConversation conversation, string userId, long unread, Message? last, ChatDirectory directory) => new
    {
        conversation.Id,
        Title = conversation.TitleFor(userId, directory),
        conversation.IsGroup,
        Members = conversation.Members.Select(m => directory.FindUser(m)?.Name ?? m),
        Unread = unread,
        Last = last is null ? null : ChatMessageDto.From(last, directory),
    };

    private static async Task<IResult> GetHistoryAsync(string convId, int? limit, long? beforeSeqId, IMessageStore store, ChatDirectory directory,
        IOptions<ChatOptions> options, CancellationToken cancellationToken)
    {
        int pageSize = limit ?? options.Value.PageSize;
        if (pageSize > MaxPage)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), pageSize, $"A page holds at most {MaxPage} messages.");
        }

        IReadOnlyList<Message> page = await store.GetConvMessagesAsync(convId, pageSize, beforeSeqId ?? 0, cancellationToken);
        return Results.Ok(new
        {
            Messages = page.Select(m => ChatMessageDto.From(m, directory)),
            HasOlder = page.Count == pageSize,
        });
    }

    private static async Task<IResult> SendAsync(string convId, SendRequest request, IMessageStore store, ChatDirectory directory, CancellationToken cancellationToken)
    {
        ChatConversation conversation = directory.FindConversation(convId) ?? throw new ArgumentException($"There is no conversation '{convId}'.", nameof(convId));
        ChatUser sender = RequireUser(directory, request.UserId);
        if (!conversation.Members.Contains(sender.Id))
        {
            throw new ArgumentException($"{sender.Name} is not a member of this conversation.", "userId");
        }

        string text = request.Text?.Trim() ?? "";
        if (text.Length == 0 || text.Length > MaxTextLength)
        {
            throw new ArgumentException($"The text must hold 1 to {MaxTextLength} characters.", "text");
        }

        Message stored = await store.AddMessageAsync(convId, sender.Number, Encoding.UTF8.GetBytes(text), conversation.Members, cancellationToken);
        // The sample's user ids are names, not sender ids, so the store cannot tell a user's own messages: the sender reads them here.
        await store.UpdateReadMarkerAsync(sender.Id, convId, stored.SeqId, cancellationToken);
        return Results.Created($"/api/conversations/{convId}/messages/{stored.SeqId}", ChatMessageDto.From(stored, directory));
    }

    private static async Task<IResult> MarkReadAsync(string userId, string convId, ReadRequest request, IMessageStore store, ChatDirectory directory,
        CancellationToken cancellationToken)
    {
        RequireUser(directory, userId);
        if (directory.FindConversation(convId) is null)
        {
            throw new ArgumentException($"There is no conversation '{convId}'.", nameof(convId));
        }

        await store.UpdateReadMarkerAsync(userId, convId, request.SeqId, cancellationToken);
        return Results.NoContent();
    }

    private static ChatUser RequireUser(ChatDirectory directory, string? userId) =>
        directory.FindUser(userId ?? "") ?? throw new ArgumentException($"There is no user '{userId}'.", "userId");

    /// <summary>The body of a send: who sends and what.</summary>
    internal sealed record SendRequest(string? UserId, string? Text);

    /// <summary>The body of a read mark: the newest SeqId the user has seen in the conversation.</summary>
    internal sealed record ReadRequest(long SeqId);
}
