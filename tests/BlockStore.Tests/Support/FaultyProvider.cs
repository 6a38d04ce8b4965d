using BlockStore.Providers;

namespace BlockStore.Tests;

/// <summary>Wraps a provider and fails chosen writes on demand, to test I/O errors without filling a disk.</summary>
public sealed class FaultyProvider(IBlockStoreProvider inner) : IBlockStoreProvider
{
    private int _failedBlockWrites;

    /// <summary>When set, every <see cref="IBlockStorage.WriteBlocksAsync"/> throws before writing.</summary>
    public bool FailBlockWrites { get; set; }

    /// <summary>When set, every <see cref="ITimelineRepository.AppendJournalAsync"/> throws before writing.</summary>
    public bool FailJournalWrites { get; set; }

    /// <summary>When set, every <see cref="ICheckpointStore.SaveAsync"/> throws before writing.</summary>
    public bool FailCheckpointWrites { get; set; }

    public int FailedBlockWrites => Volatile.Read(ref _failedBlockWrites);

    public string Name => inner.Name;

    public async ValueTask<IBlockStoreSession> OpenAsync(BlockStoreOptions options, CancellationToken cancellationToken = default) =>
        new Session(this, await inner.OpenAsync(options, cancellationToken));

    private static IOException Injected(string what) => new($"Injected failure: {what}.");

    private sealed class Session(FaultyProvider owner, IBlockStoreSession inner) : IBlockStoreSession, IBlockStorage, ITimelineRepository, ICheckpointStore
    {
        public string Location => inner.Location;

        public IBlockStorage Blocks => this;

        public ITimelineRepository Timelines => this;

        public ICheckpointStore Checkpoints => this;

        public long MaxBlockSize => inner.Blocks.MaxBlockSize;

        public ValueTask DisposeAsync() => inner.DisposeAsync();

        public ValueTask<IReadOnlyList<StoreIndex>> WriteBlocksAsync(IReadOnlyList<ReadOnlyMemory<byte>> blocks, CancellationToken cancellationToken = default)
        {
            if (owner.FailBlockWrites)
            {
                Interlocked.Increment(ref owner._failedBlockWrites);
                throw Injected("block write");
            }

            return inner.Blocks.WriteBlocksAsync(blocks, cancellationToken);
        }

        public ValueTask ReadBlockAsync(StoreIndex location, Memory<byte> destination, CancellationToken cancellationToken = default) =>
            inner.Blocks.ReadBlockAsync(location, destination, cancellationToken);

        public ValueTask<IReadOnlyList<StoreInfo>> GetStoresAsync(CancellationToken cancellationToken = default) =>
            inner.Blocks.GetStoresAsync(cancellationToken);

        public IAsyncEnumerable<TimelineKey> LoadTimelinesAsync(CancellationToken cancellationToken = default) =>
            inner.Timelines.LoadTimelinesAsync(cancellationToken);

        public IAsyncEnumerable<BlockInfo> LoadBlocksAsync(CancellationToken cancellationToken = default) =>
            inner.Timelines.LoadBlocksAsync(cancellationToken);

        public IAsyncEnumerable<JournalRecord> ReadJournalAsync(CancellationToken cancellationToken = default) =>
            inner.Timelines.ReadJournalAsync(cancellationToken);

        public ValueTask<long> LoadJournalKeepFromAsync(CancellationToken cancellationToken = default) =>
            inner.Timelines.LoadJournalKeepFromAsync(cancellationToken);

        public ValueTask AppendJournalAsync(long recordId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
            owner.FailJournalWrites ? throw Injected("journal write") : inner.Timelines.AppendJournalAsync(recordId, payload, cancellationToken);

        public ValueTask CommitBlocksAsync(IReadOnlyList<BlockInfo> blocks, long journalKeepFrom, CancellationToken cancellationToken = default) =>
            inner.Timelines.CommitBlocksAsync(blocks, journalKeepFrom, cancellationToken);

        public ValueTask<long> GetAsync(string userId, CancellationToken cancellationToken = default) =>
            inner.Checkpoints.GetAsync(userId, cancellationToken);

        public ValueTask SaveAsync(IReadOnlyList<KeyValuePair<string, long>> checkpoints, CancellationToken cancellationToken = default) =>
            owner.FailCheckpointWrites ? throw Injected("checkpoint write") : inner.Checkpoints.SaveAsync(checkpoints, cancellationToken);

        public ValueTask RegisterTimelinesAsync(IReadOnlyList<TimelineKey> timelines, CancellationToken cancellationToken = default) =>
            inner.Timelines.RegisterTimelinesAsync(timelines, cancellationToken);
    }
}
