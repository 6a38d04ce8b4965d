using System.Diagnostics;
using BlockStore.Providers;

namespace BlockStore.Benchmarks;

/// <summary>
/// Wraps a provider and adds up the time the engine spends inside each provider call, so a scenario's elapsed time can be
/// split into journal appends, block writes, block metadata commits, block reads, timeline lookups in the index and inbox saves (the rest is the engine itself).
/// </summary>
internal sealed class TimedProvider(IBlockStoreProvider inner) : IBlockStoreProvider
{
    public string Name => inner.Name;

    public ProviderTimings Timings { get; } = new();

    public async ValueTask<IBlockStoreSession> OpenAsync(BlockStoreOptions options, CancellationToken cancellationToken = default) =>
        new Session(await inner.OpenAsync(options, cancellationToken).ConfigureAwait(false), Timings);

    private sealed class Session(IBlockStoreSession inner, ProviderTimings timings) : IBlockStoreSession
    {
        public string Location => inner.Location;

        public IBlockStorage Blocks { get; } = new Storage(inner.Blocks, timings);

        public ITimelineRepository Timelines { get; } = new Repository(inner.Timelines, timings);

        public ICheckpointStore Checkpoints => inner.Checkpoints;

        public IInboxStore Inbox { get; } = new TimedInboxStore(inner.Inbox, timings);

        public ValueTask ReclaimAsync(CancellationToken cancellationToken = default) => inner.ReclaimAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    private sealed class Storage(IBlockStorage inner, ProviderTimings timings) : IBlockStorage
    {
        public long MaxBlockSize => inner.MaxBlockSize;

        public async ValueTask<IReadOnlyList<StoreIndex>> WriteBlocksAsync(IReadOnlyList<ReadOnlyMemory<byte>> blocks, CancellationToken cancellationToken = default)
        {
            long start = Stopwatch.GetTimestamp();
            IReadOnlyList<StoreIndex> locations = await inner.WriteBlocksAsync(blocks, cancellationToken).ConfigureAwait(false);
            timings.BlockWrites.Add(start, blocks.Count);
            return locations;
        }

        public async ValueTask ReadBlockAsync(StoreIndex location, Memory<byte> destination, CancellationToken cancellationToken = default)
        {
            long start = Stopwatch.GetTimestamp();
            await inner.ReadBlockAsync(location, destination, cancellationToken).ConfigureAwait(false);
            timings.BlockReads.Add(start, 1);
        }

        public ValueTask<IReadOnlyList<StoreInfo>> GetStoresAsync(CancellationToken cancellationToken = default) => inner.GetStoresAsync(cancellationToken);

        public ValueTask ReleaseBlocksAsync(IReadOnlyList<StoreIndex> blocks, CancellationToken cancellationToken = default) => inner.ReleaseBlocksAsync(blocks, cancellationToken);
    }

    private sealed class Repository(ITimelineRepository inner, ProviderTimings timings) : ITimelineRepository
    {
        public ValueTask<DataSetSummary> GetSummaryAsync(CancellationToken cancellationToken = default) =>
            inner.GetSummaryAsync(cancellationToken);

        public async ValueTask<TimelineMetadata?> GetTimelineAsync(TimelineKey key, int newestBlocks, CancellationToken cancellationToken = default)
        {
            long start = Stopwatch.GetTimestamp();
            TimelineMetadata? found = await inner.GetTimelineAsync(key, newestBlocks, cancellationToken).ConfigureAwait(false);
            timings.TimelineLookups.Add(start, 1);
            return found;
        }

        public async ValueTask<IReadOnlyList<TimelineMetadata?>> GetTimelinesAsync(IReadOnlyList<TimelineKey> keys, int newestBlocks, CancellationToken cancellationToken = default)
        {
            long start = Stopwatch.GetTimestamp();
            IReadOnlyList<TimelineMetadata?> found = await inner.GetTimelinesAsync(keys, newestBlocks, cancellationToken).ConfigureAwait(false);
            timings.TimelineLookups.Add(start, keys.Count);
            return found;
        }

        public ValueTask<IReadOnlyList<BlockInfo>> GetBlocksBeforeAsync(TimelineKey key, long beforeSeqId, int maxBlocks, CancellationToken cancellationToken = default) =>
            inner.GetBlocksBeforeAsync(key, beforeSeqId, maxBlocks, cancellationToken);

        public ValueTask<IReadOnlyList<BlockInfo>> GetBlocksAfterAsync(TimelineKey key, long afterSeqId, long beforeSeqId, int maxBlocks, CancellationToken cancellationToken = default) =>
            inner.GetBlocksAfterAsync(key, afterSeqId, beforeSeqId, maxBlocks, cancellationToken);

        public ValueTask<IReadOnlyList<BlockInfo>> GetBlocksByTimeAsync(
            TimelineKey key, long fromMs, long toMs, long afterSeqId, long beforeSeqId, int maxBlocks, CancellationToken cancellationToken = default) =>
            inner.GetBlocksByTimeAsync(key, fromMs, toMs, afterSeqId, beforeSeqId, maxBlocks, cancellationToken);

        public IAsyncEnumerable<TimelineKey> LoadTimelinesAsync(CancellationToken cancellationToken = default) => inner.LoadTimelinesAsync(cancellationToken);

        public IAsyncEnumerable<BlockInfo> LoadBlocksAsync(CancellationToken cancellationToken = default) => inner.LoadBlocksAsync(cancellationToken);

        public IAsyncEnumerable<JournalRecord> ReadJournalAsync(CancellationToken cancellationToken = default) => inner.ReadJournalAsync(cancellationToken);

        public ValueTask<long> LoadJournalKeepFromAsync(CancellationToken cancellationToken = default) => inner.LoadJournalKeepFromAsync(cancellationToken);

        public async ValueTask AppendJournalAsync(long recordId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
        {
            long start = Stopwatch.GetTimestamp();
            await inner.AppendJournalAsync(recordId, payload, cancellationToken).ConfigureAwait(false);
            timings.JournalAppends.Add(start, 1);
        }

        public async ValueTask CommitBlocksAsync(IReadOnlyList<BlockInfo> blocks, long journalKeepFrom, CancellationToken cancellationToken = default)
        {
            long start = Stopwatch.GetTimestamp();
            await inner.CommitBlocksAsync(blocks, journalKeepFrom, cancellationToken).ConfigureAwait(false);
            timings.BlockCommits.Add(start, blocks.Count);
        }

        public ValueTask RegisterTimelinesAsync(IReadOnlyList<TimelineKey> timelines, CancellationToken cancellationToken = default) =>
            inner.RegisterTimelinesAsync(timelines, cancellationToken);

        public ValueTask ReplaceBlocksAsync(TimelineKey key, IReadOnlyList<BlockInfo> removed, IReadOnlyList<BlockInfo> added, CancellationToken cancellationToken = default) =>
            inner.ReplaceBlocksAsync(key, removed, added, cancellationToken);

        public ValueTask DeleteTimelineAsync(TimelineKey key, CancellationToken cancellationToken = default) => inner.DeleteTimelineAsync(key, cancellationToken);
    }
}

/// <summary>The time spent in each kind of provider call, and how many calls and items they carried.</summary>
internal sealed class ProviderTimings
{
    public CallTiming JournalAppends { get; } = new();

    public CallTiming BlockWrites { get; } = new();

    public CallTiming BlockCommits { get; } = new();

    public CallTiming BlockReads { get; } = new();

    public CallTiming TimelineLookups { get; } = new();

    public CallTiming InboxReads { get; } = new();

    public CallTiming InboxSaves { get; } = new();

    /// <summary>A copy of the current figures, to subtract from a later one.</summary>
    public ProviderTimings Snapshot()
    {
        var copy = new ProviderTimings();
        copy.JournalAppends.CopyFrom(JournalAppends);
        copy.BlockWrites.CopyFrom(BlockWrites);
        copy.BlockCommits.CopyFrom(BlockCommits);
        copy.BlockReads.CopyFrom(BlockReads);
        copy.TimelineLookups.CopyFrom(TimelineLookups);
        copy.InboxReads.CopyFrom(InboxReads);
        copy.InboxSaves.CopyFrom(InboxSaves);
        return copy;
    }

    /// <summary>What happened since <paramref name="before"/>, e.g. "journal 812 ms/200 calls, block writes 95 ms/40 calls/1,200 blocks, ...".</summary>
    public string Since(ProviderTimings before) =>
        $"journal {JournalAppends.Since(before.JournalAppends)}, block writes {BlockWrites.Since(before.BlockWrites)}, " +
        $"block metadata {BlockCommits.Since(before.BlockCommits)}, block reads {BlockReads.Since(before.BlockReads)}, " +
        $"timeline lookups {TimelineLookups.Since(before.TimelineLookups, "timelines")}, inbox saves {InboxSaves.Since(before.InboxSaves, "rows")}";
}

/// <summary>Calls, items and elapsed time of one kind of provider call; safe to add to from several threads.</summary>
internal sealed class CallTiming
{
    private long _calls;
    private long _items;
    private long _ticks;

    public void Add(long startTimestamp, int items)
    {
        Interlocked.Add(ref _ticks, Stopwatch.GetTimestamp() - startTimestamp);
        Interlocked.Add(ref _items, items);
        Interlocked.Increment(ref _calls);
    }

    public void CopyFrom(CallTiming other)
    {
        _calls = Interlocked.Read(ref other._calls);
        _items = Interlocked.Read(ref other._items);
        _ticks = Interlocked.Read(ref other._ticks);
    }

    public string Since(CallTiming before, string itemName = "blocks")
    {
        double ms = (_ticks - before._ticks) * 1000.0 / Stopwatch.Frequency;
        long calls = _calls - before._calls;
        long items = _items - before._items;
        return items == calls ? $"{ms:N0} ms/{calls:N0}" : $"{ms:N0} ms/{calls:N0} ({items:N0} {itemName})";
    }
}
