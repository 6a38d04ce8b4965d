using System.Runtime.CompilerServices;
using BlockStore.Engine;
using BlockStore.Orleans.Grains;
using Microsoft.Extensions.Logging;

namespace BlockStore.Orleans;

/// <summary>
/// The <see cref="IMessageStore"/> of one data set hosted on the cluster: every call goes to the data set's grain, wherever it
/// lives. Failures of the cluster (a dead silo, a data set moving) surface as <see cref="DataSetUnavailableException"/>.
/// </summary>
/// <remarks>
/// Arguments are checked here, against <paramref name="limits"/>, before anything is sent, so a refusal names its parameter
/// (Orleans does not carry <see cref="ArgumentException.ParamName"/>); the silo checks again against its own options.
/// </remarks>
internal sealed class GrainMessageStore(IDataSetGrain grain, string dataSetId, BlockStoreOptions limits, OrleansMessageStoreFactory owner, ILogger logger) : IMessageStore
{
    /// <summary>The longest a watch's poll waits at the grain for new entries, well inside Orleans' response timeout.</summary>
    private static readonly TimeSpan PollWait = TimeSpan.FromSeconds(10);

    /// <summary>How long a watch waits before polling again when the data set is unavailable.</summary>
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);

    private const int PollMax = 1024;

    public Task<Message> AddMessageAsync(string convId, uint senderId, ReadOnlyMemory<byte> data, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken = default) =>
        AddMessageAsync(convId, senderId, data, userIds, idempotencyKey: null, cancellationToken);

    public Task<Message> AddMessageAsync(string convId, uint senderId, ReadOnlyMemory<byte> data, IReadOnlyCollection<string> userIds, string? idempotencyKey, CancellationToken cancellationToken = default)
    {
        Guard.Message(convId, senderId, data, userIds, idempotencyKey, limits, batchItem: -1);
        return CallAsync(grain.AddMessageAsync(convId, senderId, data.ToArray(), [.. userIds], idempotencyKey), cancellationToken);
    }

    public async Task<IReadOnlyList<Message>> AddMessagesAsync(IReadOnlyList<NewMessage> batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        for (int i = 0; i < batch.Count; i++)
        {
            NewMessage item = batch[i] ?? throw new ArgumentException($"batch[{i}] must not be null.", nameof(batch));
            Guard.Message(item.ConvId, item.SenderId, item.Data, item.UserIds, item.IdempotencyKey, limits, batchItem: i);
        }

        return await CallAsync(grain.AddMessagesAsync([.. batch]), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<Message>> GetConvMessagesAsync(string convId, int limit, long beforeSeqId = 0, CancellationToken cancellationToken = default)
    {
        Guard.Id(convId, nameof(convId));
        Guard.Limit(limit);
        Guard.SeqId(beforeSeqId, nameof(beforeSeqId));
        return await CallAsync(grain.GetConvMessagesAsync(convId, limit, beforeSeqId), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<Message>> GetConvMessagesByTimeAsync(string convId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken = default)
    {
        Guard.Id(convId, nameof(convId));
        if (from > to)
        {
            throw new ArgumentException($"from ({from:O}) must not be after to ({to:O}).", nameof(from));
        }

        Guard.Limit(limit);
        return await CallAsync(grain.GetConvMessagesByTimeAsync(convId, from, to, limit), cancellationToken).ConfigureAwait(false);
    }

    public Task<long> GetUserCheckpointAsync(string userId, CancellationToken cancellationToken = default)
    {
        Guard.Id(userId, nameof(userId));
        return CallAsync(grain.GetUserCheckpointAsync(userId), cancellationToken);
    }

    public Task UpdateUserCheckpointAsync(string userId, long seqId, CancellationToken cancellationToken = default)
    {
        Guard.Id(userId, nameof(userId));
        Guard.SeqId(seqId, nameof(seqId));
        return CallAsync(grain.UpdateUserCheckpointAsync(userId, seqId), cancellationToken);
    }

    public async Task<IReadOnlyList<Message>> GetMessagesAfterCheckpointAsync(string userId, CancellationToken cancellationToken = default)
    {
        Guard.Id(userId, nameof(userId));
        return await CallAsync(grain.GetMessagesAfterCheckpointAsync(userId), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<Message>> GetUserMessagesAsync(string userId, long afterSeqId, int limit, CancellationToken cancellationToken = default)
    {
        Guard.Id(userId, nameof(userId));
        Guard.SeqId(afterSeqId, nameof(afterSeqId));
        Guard.Limit(limit);
        return await CallAsync(grain.GetUserMessagesAsync(userId, afterSeqId, limit), cancellationToken).ConfigureAwait(false);
    }

    public IAsyncEnumerable<Message> WatchUserAsync(string userId, long afterSeqId, CancellationToken cancellationToken = default)
    {
        Guard.Id(userId, nameof(userId));
        Guard.SeqId(afterSeqId, nameof(afterSeqId));
        return WatchAsync(userTimeline: true, userId, afterSeqId, cancellationToken);
    }

    public IAsyncEnumerable<Message> WatchConvAsync(string convId, long afterSeqId, CancellationToken cancellationToken = default)
    {
        Guard.Id(convId, nameof(convId));
        Guard.SeqId(afterSeqId, nameof(afterSeqId));
        return WatchAsync(userTimeline: false, convId, afterSeqId, cancellationToken);
    }

    public Task<TimelineInfo> GetOrCreateConvTimelineAsync(string convId, CancellationToken cancellationToken = default)
    {
        Guard.Id(convId, nameof(convId));
        return CallAsync(grain.GetOrCreateConvTimelineAsync(convId), cancellationToken);
    }

    public Task<TimelineInfo> GetOrCreateUserTimelineAsync(string userId, CancellationToken cancellationToken = default)
    {
        Guard.Id(userId, nameof(userId));
        return CallAsync(grain.GetOrCreateUserTimelineAsync(userId), cancellationToken);
    }

    /// <summary>Lists the timelines through the data set's grain, which collects the whole list before it answers.</summary>
    public async IAsyncEnumerable<string> ListTimelinesAsync(TimelineKind kind, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (string id in await CallAsync(grain.ListTimelinesAsync(kind), cancellationToken).ConfigureAwait(false))
        {
            yield return id;
        }
    }

    /// <summary>Backs the data set up into <paramref name="destination"/> on the machine of the silo that owns it.</summary>
    public Task BackupAsync(string destination, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        return CallAsync(grain.BackupAsync(destination), cancellationToken);
    }

    public Task<Message> EditMessageAsync(string convId, long seqId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        Guard.Change(convId, seqId, MessageKind.Edit, data, limits);
        return CallAsync(grain.EditMessageAsync(convId, seqId, data.ToArray()), cancellationToken);
    }

    public Task<Message> DeleteMessageAsync(string convId, long seqId, CancellationToken cancellationToken = default)
    {
        Guard.Change(convId, seqId, MessageKind.Delete, ReadOnlyMemory<byte>.Empty, limits);
        return CallAsync(grain.DeleteMessageAsync(convId, seqId), cancellationToken);
    }

    public Task DeleteConversationAsync(string convId, CancellationToken cancellationToken = default)
    {
        Guard.Id(convId, nameof(convId));
        return CallAsync(grain.DeleteConversationAsync(convId), cancellationToken);
    }

    public Task DeleteUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        Guard.Id(userId, nameof(userId));
        return CallAsync(grain.DeleteUserAsync(userId), cancellationToken);
    }

    public Task EraseSenderAsync(uint senderId, CancellationToken cancellationToken = default) => CallAsync(grain.EraseSenderAsync(senderId), cancellationToken);

    public Task SetRetentionAsync(string convId, TimeSpan? maxAge, CancellationToken cancellationToken = default)
    {
        Guard.Id(convId, nameof(convId));
        Guard.MaxAge(maxAge, nameof(maxAge));
        return CallAsync(grain.SetRetentionAsync(convId, maxAge), cancellationToken);
    }

    public Task<CompactionReport> CompactAsync(CancellationToken cancellationToken = default) => CallAsync(grain.CompactAsync(), cancellationToken);

    public async Task<IReadOnlyList<InboxEntry>> GetInboxAsync(string userId, int limit, long beforeSeqId = 0, CancellationToken cancellationToken = default)
    {
        Guard.Id(userId, nameof(userId));
        Guard.Limit(limit);
        Guard.SeqId(beforeSeqId, nameof(beforeSeqId));
        return await CallAsync(grain.GetInboxAsync(userId, limit, beforeSeqId), cancellationToken).ConfigureAwait(false);
    }

    public Task<long> GetReadMarkerAsync(string userId, string convId, CancellationToken cancellationToken = default)
    {
        Guard.Id(userId, nameof(userId));
        Guard.Id(convId, nameof(convId));
        return CallAsync(grain.GetReadMarkerAsync(userId, convId), cancellationToken);
    }

    public Task UpdateReadMarkerAsync(string userId, string convId, long seqId, CancellationToken cancellationToken = default)
    {
        Guard.Id(userId, nameof(userId));
        Guard.Id(convId, nameof(convId));
        Guard.SeqId(seqId, nameof(seqId));
        return CallAsync(grain.UpdateReadMarkerAsync(userId, convId, seqId), cancellationToken);
    }

    public Task<long> GetUnreadCountAsync(string userId, string convId, CancellationToken cancellationToken = default)
    {
        Guard.Id(userId, nameof(userId));
        Guard.Id(convId, nameof(convId));
        return CallAsync(grain.GetUnreadCountAsync(userId, convId), cancellationToken);
    }

    public Task<long> GetUnreadTotalAsync(string userId, CancellationToken cancellationToken = default)
    {
        Guard.Id(userId, nameof(userId));
        return CallAsync(grain.GetUnreadTotalAsync(userId), cancellationToken);
    }

    public Task<StoreStats> GetStatsAsync(CancellationToken cancellationToken = default) => CallAsync(grain.GetStatsAsync(), cancellationToken);

    public Task<VerificationReport> VerifyAsync(CancellationToken cancellationToken = default) => CallAsync(grain.VerifyAsync(), cancellationToken);

    public Task FlushAsync(CancellationToken cancellationToken = default) => CallAsync(grain.FlushAsync(), cancellationToken);

    /// <summary>Does nothing: the data set lives in the cluster, not in this store object.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>True for the failures of the cluster rather than of the call: the silo died, the message was rejected or timed out, the lease is still held by a dead owner.</summary>
    internal static bool IsUnavailable(Exception exception) =>
        exception is OrleansException or TimeoutException or StoreLockedException;

    private async Task CallAsync(Task call, CancellationToken cancellationToken)
    {
        owner.ThrowIfDisposed();
        try
        {
            await call.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            Log.Unavailable(logger, dataSetId, ex);
            throw new DataSetUnavailableException(dataSetId, ex);
        }
    }

    private async Task<T> CallAsync<T>(Task<T> call, CancellationToken cancellationToken)
    {
        owner.ThrowIfDisposed();
        try
        {
            return await call.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            Log.Unavailable(logger, dataSetId, ex);
            throw new DataSetUnavailableException(dataSetId, ex);
        }
    }

    /// <summary>Polls the grain for entries above the last one seen; a poll that fails because the data set moves is repeated from there, so nothing is lost or repeated.</summary>
    private async IAsyncEnumerable<Message> WatchAsync(bool userTimeline, string id, long afterSeqId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long after = afterSeqId;
        while (true)
        {
            Message[] entries;
            try
            {
                entries = await CallAsync(grain.PollAsync(userTimeline, id, after, PollMax, PollWait), cancellationToken).ConfigureAwait(false);
            }
            catch (DataSetUnavailableException)
            {
                await Task.Delay(RetryDelay, cancellationToken).ConfigureAwait(false);
                continue;
            }

            foreach (Message entry in entries)
            {
                after = entry.SeqId;
                yield return entry;
            }
        }
    }
}
