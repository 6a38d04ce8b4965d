using System.Diagnostics;
using BlockStore.Providers;

namespace BlockStore.Benchmarks;

/// <summary>Wraps a provider's inbox index and adds up the calls and time of its reads and activity saves.</summary>
internal sealed class TimedInboxStore(IInboxStore inner, ProviderTimings timings) : IInboxStore
{
    public ValueTask<long> GetAppliedThroughAsync(CancellationToken cancellationToken = default) => inner.GetAppliedThroughAsync(cancellationToken);

    public async ValueTask<InboxRow?> GetAsync(string userId, string convId, CancellationToken cancellationToken = default)
    {
        long start = Stopwatch.GetTimestamp();
        InboxRow? row = await inner.GetAsync(userId, convId, cancellationToken).ConfigureAwait(false);
        timings.InboxReads.Add(start, 1);
        return row;
    }

    public async ValueTask<IReadOnlyList<InboxRow>> GetPageAsync(string userId, long beforeSeqId, int limit, CancellationToken cancellationToken = default)
    {
        long start = Stopwatch.GetTimestamp();
        IReadOnlyList<InboxRow> rows = await inner.GetPageAsync(userId, beforeSeqId, limit, cancellationToken).ConfigureAwait(false);
        timings.InboxReads.Add(start, 1);
        return rows;
    }

    public async ValueTask<long> GetUnreadTotalAsync(string userId, CancellationToken cancellationToken = default)
    {
        long start = Stopwatch.GetTimestamp();
        long total = await inner.GetUnreadTotalAsync(userId, cancellationToken).ConfigureAwait(false);
        timings.InboxReads.Add(start, 1);
        return total;
    }

    public async ValueTask SaveActivityAsync(IReadOnlyList<InboxActivity> changes, long appliedThrough, CancellationToken cancellationToken = default)
    {
        long start = Stopwatch.GetTimestamp();
        await inner.SaveActivityAsync(changes, appliedThrough, cancellationToken).ConfigureAwait(false);
        timings.InboxSaves.Add(start, changes.Count);
    }

    public ValueTask SaveMarkersAsync(IReadOnlyList<InboxMarker> markers, CancellationToken cancellationToken = default) =>
        inner.SaveMarkersAsync(markers, cancellationToken);

    public ValueTask DeleteUserAsync(string userId, CancellationToken cancellationToken = default) => inner.DeleteUserAsync(userId, cancellationToken);

    public ValueTask DeleteConversationAsync(string convId, CancellationToken cancellationToken = default) =>
        inner.DeleteConversationAsync(convId, cancellationToken);
}
