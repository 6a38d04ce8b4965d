using System.Diagnostics.Metrics;
using BlockStore.Engine;

namespace BlockStore.Diagnostics;

/// <summary>
/// The instruments of one store on the <c>BlockStore</c> meter. Counters the engine already keeps are observed rather than
/// duplicated; every measurement carries the store's <see cref="BlockStoreDiagnostics.DataDirTag"/>.
/// </summary>
internal sealed class BlockStoreMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Func<StoreEngine?> _engine;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on a meter of its own when there is none.</summary>
    /// <param name="meterFactory">The application's meter factory (from DI); null outside DI.</param>
    /// <param name="dataDir">The full path of the data set, the value of the data-dir tag.</param>
    /// <param name="engine">Returns the open engine, or null while the store is not open.</param>
    public BlockStoreMetrics(IMeterFactory? meterFactory, string dataDir, Func<StoreEngine?> engine)
    {
        // A meter of our own, not a static one: it drops this store's observable instruments when the store is disposed.
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(BlockStoreDiagnostics.MeterName) ?? new Meter(BlockStoreDiagnostics.MeterName);
        _engine = engine;
        DataDir = new KeyValuePair<string, object?>(BlockStoreDiagnostics.DataDirTag, dataDir);

        CommitBatchSize = _meter.CreateHistogram<int>("blockstore.commit.batch_size", "{message}", "Messages per group commit (one journal record).");
        AppendDuration = _meter.CreateHistogram<double>("blockstore.append.duration", "s", "Duration of AddMessage and AddMessages calls, until the messages are durable.");
        ReadDuration = _meter.CreateHistogram<double>("blockstore.read.duration", "s", "Duration of the calls that read messages of a conversation or user timeline.");
        JournalCommitDuration = _meter.CreateHistogram<double>(
            "blockstore.journal.commit.duration", "s", "Duration of one group commit's journal write, its flush included (on the writer, which waits for it).");
        SealDuration = _meter.CreateHistogram<double>(
            "blockstore.seal.duration", "s", "Writer time of one seal between commits: block writes, the index commit that trims the journal, and the encoding unless it ran on the thread pool meanwhile.");
        _meter.CreateObservableCounter("blockstore.messages.appended", () => Observe(static e => e.MessagesAppended), "{message}", "Messages appended since the store opened.");
        _meter.CreateObservableCounter("blockstore.blocks.sealed", () => Observe(static e => e.BlocksSealed), "{block}", "Blocks sealed since the store opened.");
        _meter.CreateObservableCounter("blockstore.bytes.written", () => Observe(static e => e.BytesWritten), "By", "Journal and block bytes written since the store opened.");
        _meter.CreateObservableCounter("blockstore.cache.hits", () => Observe(static e => e.Cache.Hits), "{block}", "Sealed-block reads served by the block cache.");
        _meter.CreateObservableCounter("blockstore.cache.misses", () => Observe(static e => e.Cache.Misses), "{block}", "Sealed-block reads that missed the block cache.");
        _meter.CreateObservableGauge("blockstore.store.used_bytes", () => Observe(static e => e.StoreUsedBytes), "By", "Bytes used in the stores, headers included.");
        _meter.CreateObservableGauge("blockstore.store.capacity_bytes", () => Observe(static e => e.StoreCapacityBytes), "By", "Total capacity of the stores that exist.");
        _meter.CreateObservableGauge("blockstore.timelines.cached", () => Observe(static e => e.WorkingSetCount), "{timeline}", "Timelines in the working set.");
        _meter.CreateObservableGauge("blockstore.timelines.cached_bytes", () => Observe(static e => e.WorkingSetBytes), "By", "Bytes the working set is charged, against TimelineCacheBytes.");
        _meter.CreateObservableCounter("blockstore.timelines.evicted", () => Observe(static e => e.Evictions), "{timeline}", "Timelines evicted from the working set since the store opened.");
    }

    /// <summary>The data-dir tag every measurement carries.</summary>
    public KeyValuePair<string, object?> DataDir { get; }

    /// <summary>Messages per group commit.</summary>
    public Histogram<int> CommitBatchSize { get; }

    /// <summary>Duration of appends, in seconds.</summary>
    public Histogram<double> AppendDuration { get; }

    /// <summary>Duration of message reads, in seconds.</summary>
    public Histogram<double> ReadDuration { get; }

    /// <summary>Duration of one journal write of a group commit, flush included, in seconds.</summary>
    public Histogram<double> JournalCommitDuration { get; }

    /// <summary>Writer time of one successful seal, in seconds.</summary>
    public Histogram<double> SealDuration { get; }

    /// <summary>Starts timing and tracing one public operation.</summary>
    /// <param name="name">The activity name.</param>
    /// <param name="duration">The histogram that receives the duration; null for operations that are only traced.</param>
    /// <returns>The operation; dispose it when the call ends.</returns>
    public Operation Start(string name, Histogram<double>? duration) => new(name, duration, DataDir);

    /// <summary>Disposes the meter if it is this store's own.</summary>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private IEnumerable<Measurement<long>> Observe(Func<StoreEngine, long> read)
    {
        if (_engine() is not { } engine)
        {
            return [];
        }

        try
        {
            return [new Measurement<long>(read(engine), DataDir)];
        }
        catch (ObjectDisposedException)
        {
            // The store closed while the measurement was taken.
            return [];
        }
    }
}
