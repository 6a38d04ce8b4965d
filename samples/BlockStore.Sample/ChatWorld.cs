namespace BlockStore.Sample;

/// <summary>A user of the seeded chat service: the numeric sender id, the user id of their timeline, and a display name.</summary>
internal sealed record ChatUser(uint SenderId, string UserId, string Name);

/// <summary>A one-to-one chat or a group, with its members and how busy it is relative to the others.</summary>
internal sealed record Conversation(string ConvId, string Title, bool IsGroup, IReadOnlyList<ChatUser> Members, double Weight)
{
    /// <summary>The user ids of all members: the recipients of every message in the conversation.</summary>
    public IReadOnlyCollection<string> MemberIds { get; } = Members.Select(static m => m.UserId).ToArray();
}

/// <summary>The seeded users and conversations, with look-ups for printing stored messages.</summary>
internal sealed class ChatWorld(IReadOnlyList<ChatUser> users, IReadOnlyList<Conversation> conversations)
{
    private readonly Dictionary<uint, ChatUser> _bySender = users.ToDictionary(static u => u.SenderId);
    private readonly Dictionary<string, Conversation> _byConvId = conversations.ToDictionary(static c => c.ConvId);

    public IReadOnlyList<ChatUser> Users { get; } = users;

    public IReadOnlyList<Conversation> Conversations { get; } = conversations;

    public ChatUser User(uint senderId) => _bySender[senderId];

    public Conversation Conversation(string convId) => _byConvId[convId];
}
