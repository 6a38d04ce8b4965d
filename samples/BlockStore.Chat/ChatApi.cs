using System.Text;
using BlockStore.Chat.Inbox;
using Microsoft.Extensions.Options;

namespace BlockStore.Chat;

/// <summary>The JSON API the pages call. Endpoints only call the store and the directory; bad input surfaces as <see cref="ArgumentException"/> and becomes a 400 in <see cref="ArgumentExceptionHandler"/>.</summary>
internal static class ChatApi
{
    /// <summary>The longest message text accepted, in characters.</summary>
    private const int MaxTextLength = 2000;

    /// <summary>The largest history page a client may ask for.</summary>
    private const int MaxPage = 200;

    public static void MapChatApi(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder api = app.MapGroup("/api");
        api.MapGet("/users", (ChatDirectory directory) => directory.Users.Select(u => new { u.Id, u.Name }));
        api.MapGet("/users/{userId}/inbox", GetInboxAsync);
        api.MapPost("/users/{userId}/conversations/{convId}/read", MarkReadAsync);
        api.MapGet("/conversations/{convId}/messages", GetHistoryAsync);
        api.MapPost("/conversations/{convId}/messages", SendAsync);
    }

    private static async Task<IResult> GetInboxAsync(string userId, IConversationInbox inbox, ChatDirectory directory, CancellationToken cancellationToken)
    {
        InboxView view = await inbox.GetAsync(userId, cancellationToken);
        ChatUser user = RequireUser(directory, userId);
        return Results.Ok(new
        {
            User = new { user.Id, user.Name },
            view.WatchAfterSeqId,
            Conversations = view.Entries.Select(entry =>
            {
                ChatConversation conversation = directory.FindConversation(entry.ConvId)!;
                return new
                {
                    conversation.Id,
                    Title = conversation.TitleFor(userId, directory),
                    conversation.IsGroup,
                    Members = conversation.Members.Select(m => directory.FindUser(m)?.Name ?? m),
                    entry.Unread,
                    Last = entry.Last is null ? null : ChatMessageDto.From(entry.Last, directory),
                };
            }),
        });
    }

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

    private static async Task<IResult> SendAsync(string convId, SendRequest request, IMessageStore store, ChatDirectory directory, IConversationInbox inbox,
        CancellationToken cancellationToken)
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
        await inbox.MarkReadAsync(sender.Id, convId, stored.SeqId, cancellationToken);
        return Results.Created($"/api/conversations/{convId}/messages/{stored.SeqId}", ChatMessageDto.From(stored, directory));
    }

    private static async Task<IResult> MarkReadAsync(string userId, string convId, ReadRequest request, IConversationInbox inbox, ChatDirectory directory,
        CancellationToken cancellationToken)
    {
        RequireUser(directory, userId);
        if (directory.FindConversation(convId) is null)
        {
            throw new ArgumentException($"There is no conversation '{convId}'.", nameof(convId));
        }

        if (request.SeqId < 0)
        {
            throw new ArgumentOutOfRangeException("seqId", request.SeqId, "A SeqId must not be negative.");
        }

        await inbox.MarkReadAsync(userId, convId, request.SeqId, cancellationToken);
        return Results.NoContent();
    }

    private static ChatUser RequireUser(ChatDirectory directory, string? userId) =>
        directory.FindUser(userId ?? "") ?? throw new ArgumentException($"There is no user '{userId}'.", "userId");

    /// <summary>The body of a send: who sends and what.</summary>
    internal sealed record SendRequest(string? UserId, string? Text);

    /// <summary>The body of a read mark: the newest SeqId the user has seen in the conversation.</summary>
    internal sealed record ReadRequest(long SeqId);
}
