using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;

namespace BlockStore.Chat.Tests;

/// <summary>The real chat app (Kestrel on a free loopback port) over a fresh temporary data set, stopped and removed on dispose.</summary>
public sealed class RunningChat : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _root;

    private RunningChat(WebApplication app, string root, Uri address)
    {
        _app = app;
        _root = root;
        Address = address;
        Http = new HttpClient { BaseAddress = address };
    }

    /// <summary>Where the app listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Address { get; }

    /// <summary>A client for the app's JSON API.</summary>
    public HttpClient Http { get; }

    /// <summary>Starts the app and waits until it listens (and has seeded its users and conversations).</summary>
    public static async Task<RunningChat> StartAsync()
    {
        string root = Path.Combine(Path.GetTempPath(), "blockstore-chat-tests", Guid.NewGuid().ToString("N"));
        WebApplication app = ChatApp.CreateApp(
        [
            "--urls", "http://127.0.0.1:0",
            $"--BlockStore:DataDir={Path.Combine(root, "data")}",
            "--BlockStore:Durability=Normal",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await app.StartAsync();
        return new RunningChat(app, root, new Uri(app.Urls.Single().Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/"));
    }

    /// <summary>The seeded users, in seeding order.</summary>
    public async Task<UserDto[]> UsersAsync() => (await Http.GetFromJsonAsync<UserDto[]>("api/users"))!;

    /// <summary>Sends a message through the API, as another client of the app would.</summary>
    public async Task<ChatMessageDto> SendAsync(string convId, string userId, string text)
    {
        HttpResponseMessage response = await Http.PostAsJsonAsync($"api/conversations/{convId}/messages", new { userId, text });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ChatMessageDto>())!;
    }

    /// <summary>The whole history of a conversation through the API, oldest first.</summary>
    public async Task<ChatMessageDto[]> HistoryAsync(string convId) =>
        (await Http.GetFromJsonAsync<HistoryDto>($"api/conversations/{convId}/messages?limit=200"))!.Messages;

    /// <summary>How many messages of <paramref name="convId"/> the inbox counts as unread for <paramref name="userId"/>.</summary>
    public async Task<int> UnreadAsync(string userId, string convId)
    {
        InboxDto inbox = (await Http.GetFromJsonAsync<InboxDto>($"api/users/{userId}/inbox"))!;
        return inbox.Conversations.Single(c => c.Id == convId).Unread;
    }

    /// <summary>The URL of the chat page for <paramref name="userId"/>.</summary>
    public string PageFor(string userId) => new Uri(Address, $"?user={Uri.EscapeDataString(userId)}").ToString();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is not a test failure.
        }
    }

    /// <summary>A user as the API lists them.</summary>
    public sealed record UserDto(string Id, string Name);

    /// <summary>An inbox as the API returns it (the parts the tests read).</summary>
    public sealed record InboxDto(InboxEntryDto[] Conversations);

    /// <summary>One conversation of an inbox.</summary>
    public sealed record InboxEntryDto(string Id, int Unread);

    /// <summary>A history page as the API returns it.</summary>
    public sealed record HistoryDto(ChatMessageDto[] Messages, bool HasOlder);
}
