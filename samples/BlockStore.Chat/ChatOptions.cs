namespace BlockStore.Chat;

/// <summary>The sample's own settings (the <c>Chat</c> section).</summary>
public sealed class ChatOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Chat";

    /// <summary>The Bogus seed: the same seed gives the same users, conversations and history.</summary>
    public int Seed { get; set; } = 7;

    /// <summary>How many messages the first run writes into the team conversation (the others get a few each).</summary>
    public int SeedMessages { get; set; } = 45;

    /// <summary>How many messages one history page holds.</summary>
    public int PageSize { get; set; } = 20;
}
