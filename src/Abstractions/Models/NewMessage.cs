namespace BlockStore;

/// <summary>A message to add in a batch through <see cref="IMessageStore.AddMessagesAsync"/>.</summary>
/// <param name="ConvId">The conversation the message belongs to.</param>
/// <param name="SenderId">The sender's numeric id.</param>
/// <param name="Data">The message body.</param>
/// <param name="UserIds">The users whose timelines receive the message (duplicates are collapsed).</param>
public sealed record NewMessage(string ConvId, uint SenderId, ReadOnlyMemory<byte> Data, IReadOnlyCollection<string> UserIds)
{
    /// <summary>The caller's key for this message, scoped to <see cref="ConvId"/>, or null (the default) for none; see <see cref="IMessageStore.AddMessageAsync(string, uint, ReadOnlyMemory{byte}, IReadOnlyCollection{string}, string?, CancellationToken)"/>.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>
    /// The time to store instead of the store's clock (kept to the millisecond, in UTC), e.g. when importing history; null (the default)
    /// for the time the store accepts the message. It must be after 1970-01-01, not in the future, and not before the newest message of
    /// the conversation or of any recipient's timeline; otherwise the batch is refused with an <see cref="ArgumentException"/>.
    /// An <see cref="IdempotencyKey"/> is remembered for its window counted from this time.
    /// </summary>
    public DateTimeOffset? CreatedAt { get; init; }
}
