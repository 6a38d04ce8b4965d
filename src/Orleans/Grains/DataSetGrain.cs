using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Placement;

namespace BlockStore.Orleans.Grains;

/// <summary>
/// Owns one data set's engine on this silo through the silo's <see cref="MessageStoreFactory"/>. Reentrant: the engine is
/// thread-safe, and concurrent calls must reach it together so that their writes share one group commit. Placed at random,
/// so data sets spread over the silos rather than gathering on the silo that called first.
/// </summary>
[Reentrant]
[RandomPlacement]
internal sealed class DataSetGrain(MessageStoreFactory factory, ILogger<DataSetGrain> logger) : Grain, IDataSetGrain
{
    private IMessageStore _store = null!;

    private string DataSetId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _store = factory.Get(DataSetId);
        Log.Activated(logger, DataSetId, RuntimeIdentity);
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await factory.CloseAsync(DataSetId).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext);
        Log.Deactivated(logger, DataSetId, RuntimeIdentity, reason.Description);
    }

    public Task<Message> AddMessageAsync(string convId, uint senderId, byte[] data, string[] userIds, string? idempotencyKey) =>
        _store.AddMessageAsync(convId, senderId, data, userIds, idempotencyKey);

    public async Task<Message[]> AddMessagesAsync(NewMessage[] batch) => [.. await _store.AddMessagesAsync(batch).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext)];

    public async Task<Message[]> GetConvMessagesAsync(string convId, int limit, long beforeSeqId) =>
        [.. await _store.GetConvMessagesAsync(convId, limit, beforeSeqId).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext)];

    public async Task<Message[]> GetConvMessagesByTimeAsync(string convId, DateTimeOffset from, DateTimeOffset to, int limit) =>
        [.. await _store.GetConvMessagesByTimeAsync(convId, from, to, limit).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext)];

    public Task<long> GetUserCheckpointAsync(string userId) => _store.GetUserCheckpointAsync(userId);

    public Task UpdateUserCheckpointAsync(string userId, long seqId) => _store.UpdateUserCheckpointAsync(userId, seqId);

    public async Task<Message[]> GetMessagesAfterCheckpointAsync(string userId) => [.. await _store.GetMessagesAfterCheckpointAsync(userId).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext)];

    public async Task<Message[]> GetUserMessagesAsync(string userId, long afterSeqId, int limit) =>
        [.. await _store.GetUserMessagesAsync(userId, afterSeqId, limit).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext)];

    public async Task<Message[]> PollAsync(bool userTimeline, string id, long afterSeqId, int max, TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        IAsyncEnumerable<Message> watch = userTimeline ? _store.WatchUserAsync(id, afterSeqId, timeout.Token) : _store.WatchConvAsync(id, afterSeqId, timeout.Token);
        var found = new List<Message>();
        IAsyncEnumerator<Message> entries = watch.GetAsyncEnumerator(timeout.Token);
        try
        {
            while (found.Count < max)
            {
                ValueTask<bool> next = entries.MoveNextAsync();
                if (found.Count > 0 && !next.IsCompleted)
                {
                    await timeout.CancelAsync().ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext);
                }

                if (!await next.ConfigureAwait(true))
                {
                    break;
                }

                found.Add(entries.Current);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            // The wait is over: what was found is the answer.
        }
        finally
        {
            await entries.DisposeAsync().ConfigureAwait(true);
        }

        return [.. found];
    }

    public Task<TimelineInfo> GetOrCreateConvTimelineAsync(string convId) => _store.GetOrCreateConvTimelineAsync(convId);

    public Task<TimelineInfo> GetOrCreateUserTimelineAsync(string userId) => _store.GetOrCreateUserTimelineAsync(userId);

    public async Task<string[]> ListTimelinesAsync(TimelineKind kind)
    {
        var ids = new List<string>();
        await foreach (string id in _store.ListTimelinesAsync(kind).ConfigureAwait(true))
        {
            ids.Add(id);
        }

        return [.. ids];
    }

    public Task BackupAsync(string destination) => _store.BackupAsync(destination);

    public Task<Message> EditMessageAsync(string convId, long seqId, byte[] data) => _store.EditMessageAsync(convId, seqId, data);

    public Task<Message> DeleteMessageAsync(string convId, long seqId) => _store.DeleteMessageAsync(convId, seqId);

    public Task DeleteConversationAsync(string convId) => _store.DeleteConversationAsync(convId);

    public Task DeleteUserAsync(string userId) => _store.DeleteUserAsync(userId);

    public Task EraseSenderAsync(uint senderId) => _store.EraseSenderAsync(senderId);

    public Task SetRetentionAsync(string convId, TimeSpan? maxAge) => _store.SetRetentionAsync(convId, maxAge);

    public Task<CompactionReport> CompactAsync() => _store.CompactAsync();

    public async Task<InboxEntry[]> GetInboxAsync(string userId, int limit, long beforeSeqId) => [.. await _store.GetInboxAsync(userId, limit, beforeSeqId).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext)];

    public Task<long> GetReadMarkerAsync(string userId, string convId) => _store.GetReadMarkerAsync(userId, convId);

    public Task UpdateReadMarkerAsync(string userId, string convId, long seqId) => _store.UpdateReadMarkerAsync(userId, convId, seqId);

    public Task<long> GetUnreadCountAsync(string userId, string convId) => _store.GetUnreadCountAsync(userId, convId);

    public Task<long> GetUnreadTotalAsync(string userId) => _store.GetUnreadTotalAsync(userId);

    public Task<StoreStats> GetStatsAsync() => _store.GetStatsAsync();

    public Task<VerificationReport> VerifyAsync() => _store.VerifyAsync();

    public Task FlushAsync() => _store.FlushAsync();
}
