using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using BlockStore.Diagnostics;
using BlockStore.Providers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlockStore.Engine;

/// <summary>
/// The open engine of one data set: the timeline working set, the single writer loop (group commit, journal, sealing)
/// and the readers. Created by <see cref="OpenAsync"/>, which recovers open blocks from the journal.
/// </summary>
internal sealed partial class StoreEngine : IAsyncDisposable
{
    private readonly BlockStoreOptions _options;
    private readonly IBlockStoreSession _session;
    private readonly ILogger _logger;
    private readonly BlockStoreMetrics _metrics;
    private readonly BlockCache _cache;
    private readonly MemoryBudgets _budgets;
    private readonly int _cacheOwner;
    private readonly ConcurrentDictionary<string, Timeline<ConvEntry>> _convs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Timeline<UserEntry>> _users = new(StringComparer.Ordinal);
    private readonly Channel<WriteOp> _queue = Channel.CreateUnbounded<WriteOp>(new UnboundedChannelOptions { SingleReader = true });
    private readonly int _maxBlockBytes;
    private readonly BlockEncoding _encoding;
    private long _messages;
    private long _sealedBlocks;
    private long _openBlocks;
    private long _lastSeqId;
    private Task _writer = Task.CompletedTask;
    private Timer? _maintenanceTimer;

    private StoreEngine(BlockStoreOptions options, IBlockStoreSession session, long maxRecordBytes, ILogger logger, BlockStoreMetrics metrics, MemoryBudgets budgets)
    {
        MaxRecordBytes = maxRecordBytes;
        _options = options;
        _session = session;
        _logger = logger;
        _metrics = metrics;
        _budgets = budgets;
        _cache = budgets.Cache;
        _cacheOwner = budgets.Join(this);
        _watches = new WatchRegistry(options.WatchBufferSize);
        _inbox = new InboxChanges(new InboxCache(options.TimelineCacheBytes / 4));
        _maxBlockBytes = (int)Math.Min(options.MaxBlockBytes, session.Blocks.MaxBlockSize);
        _encoding = BlockEncoding.From(options);
        _rules = new LifecycleRules(options.Retention.MaxAge is { } maxAge ? (long)maxAge.TotalMilliseconds : 0);
        int largest = BlockCodec.Overhead(BlockStoreLimits.MaxIdBytes) + ConvEntry.MaxFixedSize + options.MaxMessageBytes;
        if (largest > _maxBlockBytes)
        {
            throw new BlockStoreException(
                $"A message of BlockStore:MaxMessageBytes ({options.MaxMessageBytes}) needs a block of {largest} bytes, but the provider's " +
                $"stores of BlockStore:MaxCapacity ({options.MaxCapacity}) hold blocks of at most {_maxBlockBytes} bytes.");
        }
    }

    public string Location => _session.Location;

    /// <summary>The largest journal record a turn may build: the provider's limit, and what one array can hold.</summary>
    public long MaxRecordBytes { get; }

    public BlockCache Cache => _cache;

    /// <summary>Opens the data set and recovers it; <paramref name="budgets"/> are shared with other engines, or the engine's own when null.</summary>
    public static async Task<StoreEngine> OpenAsync(BlockStoreOptions options, IBlockStoreProvider provider, ILogger logger, BlockStoreMetrics metrics, MemoryBudgets? budgets, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        ValidateOptionsResult valid = BlockStoreOptionsValidator.ValidateForProvider(options, provider);
        if (valid.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(BlockStoreOptions), valid.Failures);
        }

        IBlockStoreSession session = await provider.OpenAsync(options, cancellationToken).ConfigureAwait(false);
        StoreEngine? engine = null;
        try
        {
            engine = new StoreEngine(options, session, Math.Min(provider.MaxPayloadBytes, Array.MaxLength), logger, metrics, budgets ?? new MemoryBudgets(options));
            await engine.RecoverAsync(cancellationToken).ConfigureAwait(false);
            await engine.StartTelemetryAsync(cancellationToken).ConfigureAwait(false);
            engine.Start();
            if (session.ReadableByOthers is { Count: > 0 } exposed)
            {
                Log.ReadableByOthers(logger, session.Location, exposed.Count, exposed[0]);
            }

            Log.Opened(logger, session.Location, provider.Name, options.Durability, engine._convTimelines + engine._userTimelines, engine._sealedBlocks,
                (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, engine._nextSeqId);
            return engine;
        }
        catch
        {
            engine?.LeaveBudgets();
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Hands a write to the writer loop; fails if the store is closing.</summary>
    public Task<TResult> Enqueue<TResult>(WriteOp<TResult> op)
    {
        if (!_queue.Writer.TryWrite(op))
        {
            throw new ObjectDisposedException(nameof(MessageStore), "The message store is closed.");
        }

        return op.Task;
    }

    /// <summary>The timeline's snapshot from the working set or the index, or null when it does not exist.</summary>
    public async ValueTask<TimelineInfo?> FindTimelineAsync(TimelineKind kind, string id, CancellationToken cancellationToken)
    {
        TimelineBase? timeline = kind == TimelineKind.Conversation
            ? await FindAsync(_convs, id, cancellationToken).ConfigureAwait(false)
            : await FindAsync(_users, id, cancellationToken).ConfigureAwait(false);
        return timeline?.ToInfo();
    }

    /// <summary>Asks the provider whether its storage answers and the data set is still this store's.</summary>
    public ValueTask CheckStorageAsync(CancellationToken cancellationToken) => _session.CheckAsync(cancellationToken);

    public async Task<StoreStats> GetStatsAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<StoreInfo> stores = await _session.Blocks.GetStoresAsync(cancellationToken).ConfigureAwait(false);
        long capacity = 0;
        long used = 0;
        foreach (StoreInfo store in stores)
        {
            capacity += store.Capacity;
            used += store.UsedBytes;
        }

        long full = FullBlocks;
        return new StoreStats(
            stores.Count,
            capacity,
            used,
            Interlocked.Read(ref _sealedBlocks),
            Math.Max(0, Interlocked.Read(ref _openBlocks) - full),
            Interlocked.Read(ref _messages),
            Interlocked.Read(ref _convTimelines),
            Interlocked.Read(ref _userTimelines),
            Interlocked.Read(ref _lastSeqId),
            Interlocked.Read(ref _journalBytesPublished),
            stores)
        {
            FullBlocks = full,
        };
    }

    public async ValueTask DisposeAsync()
    {
        _watches.Close();
        await StopBackgroundCompactionAsync().ConfigureAwait(false);
        _queue.Writer.TryComplete();
        if (_maintenanceTimer is not null)
        {
            await _maintenanceTimer.DisposeAsync().ConfigureAwait(false);
        }

        await _writer.ConfigureAwait(false);
        try
        {
            await SealAllAsync().ConfigureAwait(false);
        }
        finally
        {
            LeaveBudgets();
            await _session.DisposeAsync().ConfigureAwait(false);
            Log.Closed(_logger, _session.Location);
        }
    }

    /// <summary>Gives back to the shared budgets what this engine still holds.</summary>
    private void LeaveBudgets() => _budgets.Leave(this, WorkingSetBytes, _unsealedBytes);

    private static int Utf8Length(string id) => Encoding.UTF8.GetByteCount(id);

    private void Start()
    {
        _writer = Task.Run(RunWriterAsync);
        TimeSpan period = TimeSpan.FromTicks(Math.Clamp(_options.OpenBlockMaxAge.Ticks / 2, TimeSpan.TicksPerMillisecond * 100, TimeSpan.TicksPerSecond * 30));
        _maintenanceTimer = new Timer(static state => ((StoreEngine)state!)._queue.Writer.TryWrite(MaintenanceOp.Instance), this, period, period);
        _queue.Writer.TryWrite(MaintenanceOp.Instance);
        StartBackgroundCompaction();
    }
}
