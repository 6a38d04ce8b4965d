namespace BlockStore.Orleans.Grains;

/// <summary>The grain that owns one data set (keyed by its id) on whichever silo Orleans placed it; clients reach it through <see cref="IMessageStoreFactory"/>.</summary>
internal interface IDataSetGrain : IGrainWithStringKey
{
    /// <summary>Adds one message; see <see cref="IMessageStore.AddMessageAsync(string, uint, ReadOnlyMemory{byte}, IReadOnlyCollection{string}, string?, CancellationToken)"/>.</summary>
    Task<Message> AddMessageAsync(string convId, uint senderId, byte[] data, string[] userIds, string? idempotencyKey);

    /// <summary>Adds a batch in one group commit; see <see cref="IMessageStore.AddMessagesAsync"/>.</summary>
    Task<Message[]> AddMessagesAsync(NewMessage[] batch);

    /// <summary>Pages a conversation backwards; see <see cref="IMessageStore.GetConvMessagesAsync"/>.</summary>
    Task<Message[]> GetConvMessagesAsync(string convId, int limit, long beforeSeqId);

    /// <summary>Reads a conversation's time window; see <see cref="IMessageStore.GetConvMessagesByTimeAsync"/>.</summary>
    Task<Message[]> GetConvMessagesByTimeAsync(string convId, DateTimeOffset from, DateTimeOffset to, int limit);

    /// <summary>Returns a user's checkpoint; see <see cref="IMessageStore.GetUserCheckpointAsync"/>.</summary>
    Task<long> GetUserCheckpointAsync(string userId);

    /// <summary>Moves a user's checkpoint forward; see <see cref="IMessageStore.UpdateUserCheckpointAsync"/>.</summary>
    Task UpdateUserCheckpointAsync(string userId, long seqId);

    /// <summary>Reads a user's messages after their checkpoint; see <see cref="IMessageStore.GetMessagesAfterCheckpointAsync"/>.</summary>
    Task<Message[]> GetMessagesAfterCheckpointAsync(string userId);

    /// <summary>Pages a user timeline forwards; see <see cref="IMessageStore.GetUserMessagesAsync"/>.</summary>
    Task<Message[]> GetUserMessagesAsync(string userId, long afterSeqId, int limit);

    /// <summary>Waits up to <paramref name="wait"/> for entries of a timeline above <paramref name="afterSeqId"/> and returns those at hand (at most <paramref name="max"/>), oldest first; none when the wait ends first.</summary>
    Task<Message[]> PollAsync(bool userTimeline, string id, long afterSeqId, int max, TimeSpan wait);

    /// <summary>Returns or creates a conversation timeline; see <see cref="IMessageStore.GetOrCreateConvTimelineAsync"/>.</summary>
    Task<TimelineInfo> GetOrCreateConvTimelineAsync(string convId);

    /// <summary>Returns or creates a user timeline; see <see cref="IMessageStore.GetOrCreateUserTimelineAsync"/>.</summary>
    Task<TimelineInfo> GetOrCreateUserTimelineAsync(string userId);

    /// <summary>Lists the ids of every timeline of one kind; see <see cref="IMessageStore.ListTimelinesAsync"/>.</summary>
    Task<string[]> ListTimelinesAsync(TimelineKind kind);

    /// <summary>Copies the data set into a directory of the silo's machine; see <see cref="IMessageStore.BackupAsync"/>.</summary>
    Task BackupAsync(string destination);

    /// <summary>Edits a message; see <see cref="IMessageStore.EditMessageAsync"/>.</summary>
    Task<Message> EditMessageAsync(string convId, long seqId, byte[] data);

    /// <summary>Deletes a message; see <see cref="IMessageStore.DeleteMessageAsync"/>.</summary>
    Task<Message> DeleteMessageAsync(string convId, long seqId);

    /// <summary>Deletes a conversation's history; see <see cref="IMessageStore.DeleteConversationAsync"/>.</summary>
    Task DeleteConversationAsync(string convId);

    /// <summary>Deletes a user's timeline, checkpoint and inbox; see <see cref="IMessageStore.DeleteUserAsync"/>.</summary>
    Task DeleteUserAsync(string userId);

    /// <summary>Deletes a sender's messages; see <see cref="IMessageStore.EraseSenderAsync"/>.</summary>
    Task EraseSenderAsync(uint senderId);

    /// <summary>Sets a conversation's retention; see <see cref="IMessageStore.SetRetentionAsync"/>.</summary>
    Task SetRetentionAsync(string convId, TimeSpan? maxAge);

    /// <summary>Compacts the data set; see <see cref="IMessageStore.CompactAsync"/>.</summary>
    Task<CompactionReport> CompactAsync();

    /// <summary>Returns a page of a user's inbox; see <see cref="IMessageStore.GetInboxAsync"/>.</summary>
    Task<InboxEntry[]> GetInboxAsync(string userId, int limit, long beforeSeqId);

    /// <summary>Returns a user's read marker in a conversation; see <see cref="IMessageStore.GetReadMarkerAsync"/>.</summary>
    Task<long> GetReadMarkerAsync(string userId, string convId);

    /// <summary>Moves a user's read marker in a conversation forward; see <see cref="IMessageStore.UpdateReadMarkerAsync"/>.</summary>
    Task UpdateReadMarkerAsync(string userId, string convId, long seqId);

    /// <summary>Returns a user's unread count in a conversation; see <see cref="IMessageStore.GetUnreadCountAsync"/>.</summary>
    Task<long> GetUnreadCountAsync(string userId, string convId);

    /// <summary>Returns a user's unread total; see <see cref="IMessageStore.GetUnreadTotalAsync"/>.</summary>
    Task<long> GetUnreadTotalAsync(string userId);

    /// <summary>Returns the data set's figures; see <see cref="IMessageStore.GetStatsAsync"/>.</summary>
    Task<StoreStats> GetStatsAsync();

    /// <summary>Checks every stored block; see <see cref="IMessageStore.VerifyAsync"/>.</summary>
    Task<VerificationReport> VerifyAsync();

    /// <summary>Waits until everything acknowledged is durable; see <see cref="IMessageStore.FlushAsync"/>.</summary>
    Task FlushAsync();
}
