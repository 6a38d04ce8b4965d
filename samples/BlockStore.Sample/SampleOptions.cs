namespace BlockStore.Sample;

/// <summary>The sample's own settings (the <c>Sample</c> configuration section): how much chat data to seed and how.</summary>
internal sealed class SampleOptions
{
    public const string SectionName = "Sample";

    /// <summary>The locales with a chat phrasebook.</summary>
    public static readonly IReadOnlyList<string> SupportedLocales = ["en", "zh_CN"];

    /// <summary>How many users exist.</summary>
    public int Users { get; set; } = 1_000;

    /// <summary>How many conversations exist, one-to-one chats and groups together.</summary>
    public int Conversations { get; set; } = 400;

    /// <summary>The share of conversations that are groups; the rest are one-to-one chats.</summary>
    public double GroupShare { get; set; } = 0.4;

    /// <summary>The most members a group may have; the smallest has 3.</summary>
    public int MaxGroupMembers { get; set; } = 300;

    /// <summary>How many messages to seed.</summary>
    public int Messages { get; set; } = 20_000;

    /// <summary>How many messages go to the store in one <c>AddMessagesAsync</c> call.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>The random seed: the same seed gives the same users, conversations and messages.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>The Bogus locale of names and message texts: <c>en</c> or <c>zh_CN</c>.</summary>
    public string Locale { get; set; } = "en";

    /// <summary>Keeps the data directory of earlier runs instead of starting from an empty one.</summary>
    public bool KeepData { get; set; }
}
