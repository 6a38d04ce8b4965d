using System.Runtime.CompilerServices;
using BlockStore.Engine;

namespace BlockStore.DataSets;

/// <summary>The <see cref="IMessageStore"/> of one data set handed out by a <see cref="MessageStoreFactory"/>: each call holds the data set open while it runs.</summary>
internal sealed class DataSetStore(MessageStoreFactory factory, string dataSetId) : IMessageStore
{
    /// <summary>The data set id.</summary>
    public string DataSetId => dataSetId;

    public Task<Message> AddMessageAsync(string convId, uint senderId, ReadOnlyMemory<byte> data, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken = default) =>
        UseAsync(s => s.AddMessageAsync(convId, senderId, data, userIds, cancellationToken), cancellationToken);

    public Task<Message> AddMessageAsync(string convId, uint senderId, ReadOnlyMemory<byte> data, IReadOnlyCollection<string> userIds, string? idempotencyKey, CancellationToken cancellationToken = default) =>
        UseAsync(s => s.AddMessageAsync(convId, senderId, data, userIds, idempotencyKey, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<Message>> AddMessagesAsync(IReadOnlyList<NewMessage> batch, CancellationToken cancellationToken = default) =>
        UseAsync(s => s.AddMessagesAsync(batch, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<Message>> GetConvMessagesAsync(string convId, int limit, long beforeSeqId = 0, CancellationToken cancellationToken = default) =>
        UseAsync(s => s.GetConvMessagesAsync(convId, limit, beforeSeqId, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<Message>> GetConvMessagesByTimeAsync(string convId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken = default) =>
        UseAsync(s => s.GetConvMessagesByTimeAsync(convId, from, to, limit, cancellationToken), cancellationToken);

    public Task<long> GetUserCheckpointAsync(string userId, CancellationToken cancellationToken = default) =>
        UseAsync(s => s.GetUserCheckpointAsync(userId, cancellationToken), cancellationToken);

    public Task UpdateUserCheckpointAsync(string userId, long seqId, CancellationToken cancellationToken = default) =>
        UseAsync(async s => { await s.UpdateUserCheckpointAsync(userId, seqId, cancellationToken).ConfigureAwait(false); return true; }, cancellationToken);

    public Task<IReadOnlyList<Message>> GetMessagesAfterCheckpointAsync(string userId, CancellationToken cancellationToken = default) =>
        UseAsync(s => s.GetMessagesAfterCheckpointAsync(userId, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<Message>> GetUserMessagesAsync(string userId, long afterSeqId, int limit, CancellationToken cancellationToken = default) =>
        UseAsync(s => s.GetUserMessagesAsync(userId, afterSeqId, limit, cancellationToken), cancellationToken);

    public IAsyncEnumerable<Message> WatchUserAsync(string userId, long afterSeqId, CancellationToken cancellationToken = default)
    {
        Guard.Id(userId, nameof(userId));
        Guard.SeqId(afterSeqId, nameof(afterSeqId));
        return StreamAsync(s => s.WatchUserAsync(userId, afterSeqId, cancellationToken), cancellationToken);
    }

    public IAsyncEnumerable<Message> WatchConvAsync(string convId, long afterSeqId, CancellationToken cancellationToken = default)
    {
        Guard.Id(convId, nameof(convId));
        Guard.SeqId(afterSeqId, nameof(afterSeqId));
        return StreamAsync(s => s.WatchConvAsync(convId, afterSeqId, cancellationToken), cancellationToken);
    }

    public Task<TimelineInfo> GetOrCreateConvTimelineAsync(string convId, CancellationToken cancellationToken = default) =>
        UseAsync(s => s.GetOrCreateConvTimelineAsync(convId, cancellationToken), cancellationToken);

    public Task<TimelineInfo> GetOrCreateUserTimelineAsync(string userId, CancellationToken cancellationToken = default) =>
        UseAsync(s => s.GetOrCreateUserTimelineAsync(userId, cancellationToken), cancellationToken);

    public IAsyncEnumerable<string> ListTimelinesAsync(TimelineKind kind, CancellationToken cancellationToken = default) =>
        StreamAsync(s => s.ListTimelinesAsync(kind, cancellationToken), cancellationToken);

    public Task BackupAsync(string destination, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        return UseAsync(async s => { await s.BackupAsync(destination, cancellationToken).ConfigureAwait(false); return true; }, cancellationToken);
    }

    public Task<Message> EditMessageAsync(string convId, long seqId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        UseAsync(s => s.EditMessageAsync(convId, seqId, data, cancellationToken), cancellationToken);

    public Task<Message> DeleteMessageAsync(string convId, long seqId, CancellationToken cancellationToken = default) =>
        UseAsync(s => s.DeleteMessageAsync(convId, seqId, cancellationToken), cancellationToken);

    public Task DeleteConversationAsync(string convId, CancellationToken cancellationToken = default) =>
        UseAsync(async s => { await s.DeleteConversationAsync(convId, cancellationToken).ConfigureAwait(false); return true; }, cancellationToken);

    public Task DeleteUserAsync(string userId, CancellationToken cancellationToken = default) =>
        UseAsync(async s => { await s.DeleteUserAsync(userId, cancellationToken).ConfigureAwait(false); return true; }, cancellationToken);

    public Task EraseSenderAsync(uint senderId, CancellationToken cancellationToken = default) =>
        UseAsync(async s => { await s.EraseSenderAsync(senderId, cancellationToken).ConfigureAwait(false); return true; }, cancellationToken);

    public Task SetRetentionAsync(string convId, TimeSpan? maxAge, CancellationToken cancellationToken = default) =>
        UseAsync(async s => { await s.SetRetentionAsync(convId, maxAge, cancellationToken).ConfigureAwait(false); return true; }, cancellationToken);

    public Task<CompactionReport> CompactAsync(CancellationToken cancellationToken = default) =>
        UseAsync(s => s.CompactAsync(cancellationToken), cancellationToken);

    public Task<IReadOnlyList<InboxEntry>> GetInboxAsync(string userId, int limit, long beforeSeqId = 0, CancellationToken cancellationToken = default) =>
        UseAsync(s => s.GetInboxAsync(userId, limit, beforeSeqId, cancellationToken), cancellationToken);

    public Task<long> GetReadMarkerAsync(string userId, string convId, CancellationToken cancellationToken = default) =>
        UseAsync(s => s.GetReadMarkerAsync(userId, convId, cancellationToken), cancellationToken);

    public Task UpdateReadMarkerAsync(string userId, string convId, long seqId, CancellationToken cancellationToken = default) =>
        UseAsync(async s => { await s.UpdateReadMarkerAsync(userId, convId, seqId, cancellationToken).ConfigureAwait(false); return true; }, cancellationToken);

    public Task<long> GetUnreadCountAsync(string userId, string convId, CancellationToken cancellationToken = default) =>
        UseAsync(s => s.GetUnreadCountAsync(userId, convId, cancellationToken), cancellationToken);

    public Task<long> GetUnreadTotalAsync(string userId, CancellationToken cancellationToken = default) =>
        UseAsync(s => s.GetUnreadTotalAsync(userId, cancellationToken), cancellationToken);

    public Task<StoreStats> GetStatsAsync(CancellationToken cancellationToken = default) =>
        UseAsync(s => s.GetStatsAsync(cancellationToken), cancellationToken);

    public Task<VerificationReport> VerifyAsync(CancellationToken cancellationToken = default) =>
        UseAsync(s => s.VerifyAsync(cancellationToken), cancellationToken);

    public Task FlushAsync(CancellationToken cancellationToken = default) =>
        UseAsync(async s => { await s.FlushAsync(cancellationToken).ConfigureAwait(false); return true; }, cancellationToken);

    /// <summary>Does nothing: the factory owns the data set and closes it when idle or when the factory is disposed.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<T> UseAsync<T>(Func<MessageStore, Task<T>> call, CancellationToken cancellationToken)
    {
        OpenDataSet open = await factory.AcquireAsync(dataSetId, cancellationToken).ConfigureAwait(false);
        try
        {
            return await call(open.Store).ConfigureAwait(false);
        }
        finally
        {
            factory.Release(open);
        }
    }

    private async IAsyncEnumerable<T> StreamAsync<T>(Func<MessageStore, IAsyncEnumerable<T>> stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        OpenDataSet open = await factory.AcquireAsync(dataSetId, cancellationToken).ConfigureAwait(false);
        try
        {
            await foreach (T item in stream(open.Store).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }
        finally
        {
            factory.Release(open);
        }
    }
}
