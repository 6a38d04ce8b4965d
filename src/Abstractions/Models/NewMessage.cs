namespace BlockStore;

/// <summary>A message to add in a batch through <see cref="IMessageStore.AddMessagesAsync"/>.</summary>
/// <param name="ConvId">The conversation the message belongs to.</param>
/// <param name="SenderId">The sender's numeric id.</param>
/// <param name="Data">The message body.</param>
/// <param name="UserIds">The users whose timelines receive the message (duplicates are collapsed).</param>
public sealed record NewMessage(string ConvId, uint SenderId, ReadOnlyMemory<byte> Data, IReadOnlyCollection<string> UserIds);
