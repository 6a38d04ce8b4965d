using System.Text.Json;
using Microsoft.Extensions.Options;

namespace BlockStore.Chat;

/// <summary>A chat user; <see cref="Number"/> is the sender id stored with their messages.</summary>
public sealed record ChatUser(string Id, string Name, uint Number);

/// <summary>A conversation and its members; a direct one has two members and no title of its own.</summary>
public sealed record ChatConversation(string Id, string? Title, string[] Members)
{
    /// <summary>True for a group, false for a direct conversation.</summary>
    public bool IsGroup => Title is not null;

    /// <summary>What <paramref name="viewer"/> sees as its name: the group's title or the other member's name.</summary>
    public string TitleFor(string viewer, ChatDirectory directory) =>
        Title ?? directory.FindUser(Members.First(m => m != viewer))?.Name ?? Id;
}

/// <summary>
/// Who the users are and which conversations they are in. BlockStore stores messages and timelines, not members,
/// so the app keeps this small list itself, as a JSON file beside the data set.
/// </summary>
public sealed class ChatDirectory(IOptions<BlockStoreOptions> options)
{
    private readonly string _path = Path.Combine(options.Value.DataDir, "chat-directory.json");
    private Snapshot _current = new([], []);

    /// <summary>Every user, in seeding order.</summary>
    public IReadOnlyList<ChatUser> Users => _current.Users;

    /// <summary>Every conversation, in seeding order.</summary>
    public IReadOnlyList<ChatConversation> Conversations => _current.Conversations;

    /// <summary>Loads the directory written by an earlier run; false when there is none yet.</summary>
    public bool TryLoad()
    {
        if (!File.Exists(_path))
        {
            return false;
        }

        _current = JsonSerializer.Deserialize<Snapshot>(File.ReadAllText(_path)) ?? throw new InvalidDataException($"{_path} is empty.");
        return true;
    }

    /// <summary>Makes <paramref name="users"/> and <paramref name="conversations"/> the directory and writes it to disk.</summary>
    public void Save(IReadOnlyList<ChatUser> users, IReadOnlyList<ChatConversation> conversations)
    {
        var snapshot = new Snapshot([.. users], [.. conversations]);
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        File.WriteAllText(_path, JsonSerializer.Serialize(snapshot));
        _current = snapshot;
    }

    /// <summary>The user with <paramref name="id"/>, or null.</summary>
    public ChatUser? FindUser(string id) => _current.Users.FirstOrDefault(u => u.Id == id);

    /// <summary>The user whose messages carry sender id <paramref name="number"/>, or null.</summary>
    public ChatUser? FindSender(uint number) => _current.Users.FirstOrDefault(u => u.Number == number);

    /// <summary>The conversation with <paramref name="id"/>, or null.</summary>
    public ChatConversation? FindConversation(string id) => _current.Conversations.FirstOrDefault(c => c.Id == id);

    /// <summary>The conversations <paramref name="userId"/> is a member of.</summary>
    public IEnumerable<ChatConversation> ConversationsOf(string userId) => _current.Conversations.Where(c => c.Members.Contains(userId));

    private sealed record Snapshot(ChatUser[] Users, ChatConversation[] Conversations);
}
