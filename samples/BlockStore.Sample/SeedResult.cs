namespace BlockStore.Sample;

/// <summary>What seeding wrote: messages in all and per conversation, recipients, time spent in the store, and when it happened.</summary>
/// <param name="Messages">How many messages were written.</param>
/// <param name="MessagesPerConversation">How many messages each conversation received.</param>
/// <param name="Recipients">How many user timeline entries the messages made (the sum of their recipients).</param>
/// <param name="StoreTime">The time spent inside <c>AddMessagesAsync</c>.</param>
/// <param name="FirstCreatedAt">The CreatedAt of the first message.</param>
/// <param name="MiddleCreatedAt">The CreatedAt of the message halfway through.</param>
/// <param name="LastCreatedAt">The CreatedAt of the last message.</param>
internal sealed record SeedResult(
    long Messages,
    IReadOnlyDictionary<string, int> MessagesPerConversation,
    long Recipients,
    TimeSpan StoreTime,
    DateTimeOffset FirstCreatedAt,
    DateTimeOffset MiddleCreatedAt,
    DateTimeOffset LastCreatedAt)
{
    /// <summary>Messages per second of time spent inside <c>AddMessagesAsync</c>.</summary>
    public double MessagesPerSecond => StoreTime > TimeSpan.Zero ? Messages / StoreTime.TotalSeconds : 0;
}
