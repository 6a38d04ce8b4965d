namespace BlockStore;

/// <summary>How long messages are kept (the <c>BlockStore:Retention</c> section).</summary>
public sealed class RetentionOptions
{
    /// <summary>The age (by <see cref="Message.CreatedAt"/>) past which a conversation's messages expire, unless <see cref="IMessageStore.SetRetentionAsync"/> set another for it. Default: null (kept forever).</summary>
    public TimeSpan? MaxAge { get; set; }
}
