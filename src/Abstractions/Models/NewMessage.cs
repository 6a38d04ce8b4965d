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
}
