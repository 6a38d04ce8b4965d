using BlockStore.Providers;

namespace BlockStore.Tests;

/// <summary>Wraps a provider and fails chosen writes on demand, to test I/O errors without filling a disk.</summary>
public sealed class FaultyProvider(IBlockStoreProvider inner) : IBlockStoreProvider
{
    private int _failedBlockWrites;
    private int _blocksWritten;
    private int _indexLookups;
    private long? _maxPayloadBytes;

    /// <summary>When set, every <see cref="IBlockStorage.WriteBlocksAsync"/> throws before writing.</summary>
    public bool FailBlockWrites { get; set; }

    /// <summary>When set, every <see cref="ITimelineRepository.CommitBlocksAsync"/> throws before committing (the block bytes were written).</summary>
    public bool FailBlockCommits { get; set; }

    /// <summary>When set, every <see cref="ITimelineRepository.AppendJournalAsync"/> throws before writing.</summary>
    public bool FailJournalWrites { get; set; }

    /// <summary>When set, every <see cref="ICheckpointStore.SaveAsync"/> throws before writing.</summary>
    public bool FailCheckpointWrites { get; set; }

    /// <summary>When set, <see cref="IBlockStoreSession.CheckAsync"/> throws, as a storage that does not answer would.</summary>
    public bool FailChecks { get; set; }

    /// <summary>When set, journal appends wait for this task first, so writes can queue up behind one held commit.</summary>
    public Task? JournalGate { get; set; }

    public int FailedBlockWrites => Volatile.Read(ref _failedBlockWrites);

    /// <summary>How many blocks the inner provider has written.</summary>
    public int BlocksWritten => Volatile.Read(ref _blocksWritten);

    /// <summary>How many index lookups (a timeline, or the blocks of a range) the engine has asked the inner provider for.</summary>
    public int IndexLookups => Volatile.Read(ref _indexLookups);

    public string Name => inner.Name;

    /// <summary>The inner provider's limit, or a smaller one set by a test; journal records and blocks above it are refused as the real limit would.</summary>
    public long MaxPayloadBytes
    {
        get => _maxPayloadBytes ?? inner.MaxPayloadBytes;
        set => _maxPayloadBytes = value;
    }

    public async ValueTask<IBlockStoreSession> OpenAsync(BlockStoreOptions options, CancellationToken cancellationToken = default) =>
        new Session(this, await inner.OpenAsync(options, cancellationToken));

    private static IOException Injected(string what) => new($"Injected failure: {what}.");

    private sealed class Session(FaultyProvider owner, IBlockStoreSession inner) : IBlockStoreSession, IBlockStorage, ITimelineRepository, ICheckpointStore
    {
        public string Location => inner.Location;

        public IReadOnlyList<string> ReadableByOthers => inner.ReadableByOthers;

        public IBlockStorage Blocks => this;

        public ITimelineRepository Timelines => this;

        public ICheckpointStore Checkpoints => this;

        public IInboxStore Inbox => inner.Inbox;

        public long MaxBlockSize => inner.Blocks.MaxBlockSize;

        public ValueTask CheckAsync(CancellationToken cancellationToken = default) =>
            owner.FailChecks ? ValueTask.FromException(Injected("the storage does not answer")) : inner.CheckAsync(cancellationToken);

        public ValueTask ReclaimAsync(CancellationToken cancellationToken = default) => inner.ReclaimAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();

        public async ValueTask<IReadOnlyList<StoreIndex>> WriteBlocksAsync(IReadOnlyList<ReadOnlyMemory<byte>> blocks, CancellationToken cancellationToken = default)
        {
            if (owner.FailBlockWrites)
            {
                Interlocked.Increment(ref owner._failedBlockWrites);
                throw Injected("block write");
            }

            foreach (ReadOnlyMemory<byte> block in blocks)
            {
                if (block.Length > owner.MaxPayloadBytes)
                {
                    throw Injected($"a block of {block.Length} bytes is over the limit of {owner.MaxPayloadBytes}");
                }
            }

            IReadOnlyList<StoreIndex> locations = await inner.Blocks.WriteBlocksAsync(blocks, cancellationToken);
            Interlocked.Add(ref owner._blocksWritten, locations.Count);
            return locations;
        }

        public ValueTask ReadBlockAsync(StoreIndex location, Memory<byte> destination, CancellationToken cancellationToken = default) =>
            inner.Blocks.ReadBlockAsync(location, destination, cancellationToken);

        public ValueTask<IReadOnlyList<StoreInfo>> GetStoresAsync(CancellationToken cancellationToken = default) =>
            inner.Blocks.GetStoresAsync(cancellationToken);

        public ValueTask ReleaseBlocksAsync(IReadOnlyList<StoreIndex> blocks, CancellationToken cancellationToken = default) =>
            inner.Blocks.ReleaseBlocksAsync(blocks, cancellationToken);

        public ValueTask<DataSetSummary> GetSummaryAsync(CancellationToken cancellationToken = default) =>
            inner.Timelines.GetSummaryAsync(cancellationToken);

        public ValueTask<TimelineMetadata?> GetTimelineAsync(TimelineKey key, int newestBlocks, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref owner._indexLookups);
            return inner.Timelines.GetTimelineAsync(key, newestBlocks, cancellationToken);
        }

        public ValueTask<IReadOnlyList<BlockInfo>> GetBlocksBeforeAsync(TimelineKey key, long beforeSeqId, int maxBlocks, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref owner._indexLookups);
            return inner.Timelines.GetBlocksBeforeAsync(key, beforeSeqId, maxBlocks, cancellationToken);
        }

        public ValueTask<IReadOnlyList<BlockInfo>> GetBlocksAfterAsync(TimelineKey key, long afterSeqId, long beforeSeqId, int maxBlocks, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref owner._indexLookups);
            return inner.Timelines.GetBlocksAfterAsync(key, afterSeqId, beforeSeqId, maxBlocks, cancellationToken);
        }

        public ValueTask<IReadOnlyList<BlockInfo>> GetBlocksByTimeAsync(
            TimelineKey key, long fromMs, long toMs, long afterSeqId, long beforeSeqId, int maxBlocks, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref owner._indexLookups);
            return inner.Timelines.GetBlocksByTimeAsync(key, fromMs, toMs, afterSeqId, beforeSeqId, maxBlocks, cancellationToken);
        }

        public IAsyncEnumerable<TimelineKey> LoadTimelinesAsync(CancellationToken cancellationToken = default) =>
            inner.Timelines.LoadTimelinesAsync(cancellationToken);

        public IAsyncEnumerable<BlockInfo> LoadBlocksAsync(CancellationToken cancellationToken = default) =>
            inner.Timelines.LoadBlocksAsync(cancellationToken);

        public IAsyncEnumerable<JournalRecord> ReadJournalAsync(CancellationToken cancellationToken = default) =>
            inner.Timelines.ReadJournalAsync(cancellationToken);

        public ValueTask<long> LoadJournalKeepFromAsync(CancellationToken cancellationToken = default) =>
            inner.Timelines.LoadJournalKeepFromAsync(cancellationToken);

        public async ValueTask AppendJournalAsync(long recordId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
        {
            if (owner.JournalGate is { } gate)
            {
                await gate;
            }

            if (owner.FailJournalWrites)
            {
                throw Injected("journal write");
            }

            if (payload.Length > owner.MaxPayloadBytes)
            {
                throw Injected($"a journal record of {payload.Length} bytes is over the limit of {owner.MaxPayloadBytes}");
            }

            await inner.Timelines.AppendJournalAsync(recordId, payload, cancellationToken);
        }

        public ValueTask CommitBlocksAsync(IReadOnlyList<BlockInfo> blocks, long journalKeepFrom, CancellationToken cancellationToken = default) =>
            owner.FailBlockCommits ? throw Injected("block metadata commit") : inner.Timelines.CommitBlocksAsync(blocks, journalKeepFrom, cancellationToken);

        public ValueTask<long> GetAsync(string userId, CancellationToken cancellationToken = default) =>
            inner.Checkpoints.GetAsync(userId, cancellationToken);

        public ValueTask SaveAsync(IReadOnlyList<KeyValuePair<string, long>> checkpoints, CancellationToken cancellationToken = default) =>
            owner.FailCheckpointWrites ? throw Injected("checkpoint write") : inner.Checkpoints.SaveAsync(checkpoints, cancellationToken);

        public ValueTask RegisterTimelinesAsync(IReadOnlyList<TimelineKey> timelines, CancellationToken cancellationToken = default) =>
            inner.Timelines.RegisterTimelinesAsync(timelines, cancellationToken);

        public ValueTask ReplaceBlocksAsync(TimelineKey key, IReadOnlyList<BlockInfo> removed, IReadOnlyList<BlockInfo> added, CancellationToken cancellationToken = default) =>
            inner.Timelines.ReplaceBlocksAsync(key, removed, added, cancellationToken);

        public ValueTask DeleteTimelineAsync(TimelineKey key, CancellationToken cancellationToken = default) =>
            inner.Timelines.DeleteTimelineAsync(key, cancellationToken);

        public ValueTask DeleteAsync(string userId, CancellationToken cancellationToken = default) =>
            inner.Checkpoints.DeleteAsync(userId, cancellationToken);
    }
}
