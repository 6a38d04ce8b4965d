using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using BlockStore.Diagnostics;
using BlockStore.Engine;
using BlockStore.Providers;
using BlockStore.Providers.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BlockStore;

/// <summary>The BlockStore engine behind <see cref="IMessageStore"/>: opens its data set on first use (or <see cref="OpenAsync(CancellationToken)"/>), thread-safe.</summary>
public sealed partial class MessageStore : IMessageStore, IDisposable
{
    private readonly BlockStoreOptions _options;
    private readonly IBlockStoreProvider _provider;
    private readonly ILogger _logger;
    private readonly BlockStoreMetrics _metrics;
    private readonly SemaphoreSlim _openLock = new(1, 1);
    private readonly MemoryBudgets? _budgets;
    private volatile StoreEngine? _engine;
    private int _disposed;

    /// <summary>Creates a store over <paramref name="provider"/>; nothing is opened until first use.</summary>
    /// <param name="options">The validated options.</param>
    /// <param name="provider">The storage provider.</param>
    /// <param name="loggerFactory">Where the store logs; none when null.</param>
    /// <param name="meterFactory">Creates the <c>BlockStore</c> meter; when null the store creates a meter of its own.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="provider"/> is null.</exception>
    public MessageStore(IOptions<BlockStoreOptions> options, IBlockStoreProvider provider, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
        : this(options, provider, loggerFactory, meterFactory, budgets: null)
    {
    }

    /// <summary>Creates a store whose engine shares <paramref name="budgets"/> with other data sets, or has budgets of its own when null.</summary>
    internal MessageStore(IOptions<BlockStoreOptions> options, IBlockStoreProvider provider, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory, MemoryBudgets? budgets)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(provider);
        _options = options.Value;
        _provider = provider;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<MessageStore>();
        _metrics = new BlockStoreMetrics(meterFactory, Path.GetFullPath(_options.DataDir), () => _engine);
        _budgets = budgets;
    }

    /// <summary>Opens a store on the SQLite provider without dependency injection.</summary>
    /// <param name="options">The options; they are validated first.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <returns>The open store; dispose it to close the data set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="OptionsValidationException">An option is out of range; the message names the key.</exception>
    /// <exception cref="StoreLockedException">Another owner holds the data set (after waiting up to <see cref="BlockStoreOptions.LockWaitTimeout"/>).</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened or recovered (for example damaged journal records); the message says where.</exception>
    public static Task<MessageStore> OpenAsync(BlockStoreOptions options, CancellationToken cancellationToken = default) =>
        OpenAsync(options, new SqliteBlockStoreProvider(new SqliteBlockStoreOptions()), null, cancellationToken);

    /// <summary>Opens a store on the given provider without dependency injection.</summary>
    /// <param name="options">The options; they are validated first.</param>
    /// <param name="provider">The storage provider.</param>
    /// <param name="loggerFactory">Where the store logs; none when null.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <returns>The open store; dispose it to close the data set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="OptionsValidationException">An option is out of range; the message names the key.</exception>
    /// <exception cref="StoreLockedException">Another owner holds the data set (after waiting up to <see cref="BlockStoreOptions.LockWaitTimeout"/>).</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened or recovered (for example damaged journal records); the message says where.</exception>
    public static async Task<MessageStore> OpenAsync(BlockStoreOptions options, IBlockStoreProvider provider, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ValidateOptionsResult result = new BlockStoreOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(BlockStoreOptions), result.Failures);
        }

        var store = new MessageStore(Options.Create(options), provider, loggerFactory);
        await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        return store;
    }

    /// <summary>Opens the data set now (recovering the journal) rather than on first use; calling it again does nothing.</summary>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <returns>A task that completes when the store is open.</returns>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="StoreLockedException">Another owner holds the data set.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened or recovered; the message says where.</exception>
    public async Task OpenAsync(CancellationToken cancellationToken = default) => await GetEngineAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public Task<Message> AddMessageAsync(string convId, uint senderId, ReadOnlyMemory<byte> data, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken = default) =>
        AddMessageAsync(convId, senderId, data, userIds, idempotencyKey: null, cancellationToken);

    /// <inheritdoc />
    public async Task<Message> AddMessageAsync(string convId, uint senderId, ReadOnlyMemory<byte> data, IReadOnlyCollection<string> userIds, string? idempotencyKey, CancellationToken cancellationToken = default)
    {
        PendingMessage message = Guard.Message(convId, senderId, data, userIds, idempotencyKey, _options, batchItem: -1);
        using Operation operation = _metrics.Start("AddMessage", _metrics.AppendDuration);
        operation.Activity?.SetTag(BlockStoreDiagnostics.ConvIdTag, convId);
        try
        {
            StoreEngine engine = await GetEngineAsync(cancellationToken).ConfigureAwait(false);
            var op = new AppendOp([message], isBatch: false);
            Message[] stored = await engine.Enqueue(op).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (op.Duplicates > 0)
            {
                await engine.ResolveDuplicatesAsync(op, stored, cancellationToken).ConfigureAwait(false);
            }

            return stored[0];
        }
        catch (Exception ex)
        {
            operation.Fail(ex);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Message>> AddMessagesAsync(IReadOnlyList<NewMessage> batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var messages = new PendingMessage[batch.Count];
        for (int i = 0; i < messages.Length; i++)
        {
            NewMessage item = batch[i] ?? throw new ArgumentException($"batch[{i}] must not be null.", nameof(batch));
            messages[i] = Guard.Message(item.ConvId, item.SenderId, item.Data, item.UserIds, item.IdempotencyKey, _options, batchItem: i);
            messages[i].RequestedTimestamp = Guard.CreatedAt(item.CreatedAt, i);
        }

        if (messages.Length == 0)
        {
            return [];
        }

        using Operation operation = _metrics.Start("AddMessages", _metrics.AppendDuration);
        operation.Activity?.SetTag(BlockStoreDiagnostics.MessageCountTag, messages.Length);
        try
        {
            StoreEngine engine = await GetEngineAsync(cancellationToken).ConfigureAwait(false);
            Guard.BatchSize(messages, engine.MaxRecordBytes, _provider.Name);
            var op = new AppendOp(messages, isBatch: true);
            Message[] stored = await engine.Enqueue(op).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (op.Duplicates > 0)
            {
                await engine.ResolveDuplicatesAsync(op, stored, cancellationToken).ConfigureAwait(false);
            }

            return stored;
        }
        catch (Exception ex)
        {
            operation.Fail(ex);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Message>> GetConvMessagesAsync(string convId, int limit, long beforeSeqId = 0, CancellationToken cancellationToken = default)
    {
        Guard.Id(convId, nameof(convId));
        Guard.Limit(limit);
        Guard.SeqId(beforeSeqId, nameof(beforeSeqId));
        using Operation operation = _metrics.Start("GetConvMessages", _metrics.ReadDuration);
        operation.Activity?.SetTag(BlockStoreDiagnostics.ConvIdTag, convId);
        try
        {
            StoreEngine engine = await GetEngineAsync(cancellationToken).ConfigureAwait(false);
            return await engine.GetConvMessagesAsync(convId, limit, beforeSeqId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            operation.Fail(ex);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Message>> GetConvMessagesByTimeAsync(string convId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken = default)
    {
        Guard.Id(convId, nameof(convId));
        if (from > to)
        {
            throw new ArgumentException($"from ({from:O}) must not be after to ({to:O}).", nameof(from));
        }

        Guard.Limit(limit);
        using Operation operation = _metrics.Start("GetConvMessagesByTime", _metrics.ReadDuration);
        operation.Activity?.SetTag(BlockStoreDiagnostics.ConvIdTag, convId);
        try
        {
            StoreEngine engine = await GetEngineAsync(cancellationToken).ConfigureAwait(false);
            return await engine.GetConvMessagesByTimeAsync(convId, from, to, limit, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            operation.Fail(ex);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<long> GetUserCheckpointAsync(string userId, CancellationToken cancellationToken = default)
    {
        Guard.Id(userId, nameof(userId));
        StoreEngine engine = await GetEngineAsync(cancellationToken).ConfigureAwait(false);
        return await engine.GetCheckpointAsync(userId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task UpdateUserCheckpointAsync(string userId, long seqId, CancellationToken cancellationToken = default)
    {
        Guard.Id(userId, nameof(userId));
        Guard.SeqId(seqId, nameof(seqId));
        using Operation operation = _metrics.Start("UpdateUserCheckpoint", duration: null);
        operation.Activity?.SetTag(BlockStoreDiagnostics.UserIdTag, userId);
        try
        {
            StoreEngine engine = await GetEngineAsync(cancellationToken).ConfigureAwait(false);
            await engine.Enqueue(new CheckpointOp(userId, seqId)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            operation.Fail(ex);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Message>> GetMessagesAfterCheckpointAsync(string userId, CancellationToken cancellationToken = default)
    {
        Guard.Id(userId, nameof(userId));
        using Operation operation = _metrics.Start("GetMessagesAfterCheckpoint", _metrics.ReadDuration);
        operation.Activity?.SetTag(BlockStoreDiagnostics.UserIdTag, userId);
        try
        {
            StoreEngine engine = await GetEngineAsync(cancellationToken).ConfigureAwait(false);
            long checkpoint = await engine.GetCheckpointAsync(userId, cancellationToken).ConfigureAwait(false);
            return await engine.GetUserMessagesAsync(userId, checkpoint, int.MaxValue, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            operation.Fail(ex);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Message>> GetUserMessagesAsync(string userId, long afterSeqId, int limit, CancellationToken cancellationToken = default)
    {
        Guard.Id(userId, nameof(userId));
        Guard.SeqId(afterSeqId, nameof(afterSeqId));
        Guard.Limit(limit);
        using Operation operation = _metrics.Start("GetUserMessages", _metrics.ReadDuration);
        operation.Activity?.SetTag(BlockStoreDiagnostics.UserIdTag, userId);
        try
        {
            StoreEngine engine = await GetEngineAsync(cancellationToken).ConfigureAwait(false);
            return await engine.GetUserMessagesAsync(userId, afterSeqId, limit, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            operation.Fail(ex);
            throw;
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<Message> WatchUserAsync(string userId, long afterSeqId, CancellationToken cancellationToken = default)
    {
        Guard.Id(userId, nameof(userId));
        Guard.SeqId(afterSeqId, nameof(afterSeqId));
        return WatchTimeline(new TimelineKey(TimelineKind.User, userId), afterSeqId, cancellationToken);
    }

    /// <inheritdoc />
    public IAsyncEnumerable<Message> WatchConvAsync(string convId, long afterSeqId, CancellationToken cancellationToken = default)
    {
        Guard.Id(convId, nameof(convId));
        Guard.SeqId(afterSeqId, nameof(afterSeqId));
        return WatchTimeline(new TimelineKey(TimelineKind.Conversation, convId), afterSeqId, cancellationToken);
    }

    /// <inheritdoc />
    public Task<TimelineInfo> GetOrCreateConvTimelineAsync(string convId, CancellationToken cancellationToken = default)
    {
        Guard.Id(convId, nameof(convId));
        return GetOrCreateTimelineAsync(TimelineKind.Conversation, convId, cancellationToken);
    }

    /// <inheritdoc />
    public Task<TimelineInfo> GetOrCreateUserTimelineAsync(string userId, CancellationToken cancellationToken = default)
    {
        Guard.Id(userId, nameof(userId));
        return GetOrCreateTimelineAsync(TimelineKind.User, userId, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<InboxEntry>> GetInboxAsync(string userId, int limit, long beforeSeqId = 0, CancellationToken cancellationToken = default)
    {
        Guard.Id(userId, nameof(userId));
        Guard.Limit(limit);
        Guard.SeqId(beforeSeqId, nameof(beforeSeqId));
        using Operation operation = _metrics.Start("GetInbox", _metrics.ReadDuration);
        operation.Activity?.SetTag(BlockStoreDiagnostics.UserIdTag, userId);
        try
        {
            StoreEngine engine = await GetEngineAsync(cancellationToken).ConfigureAwait(false);
            return await engine.GetInboxAsync(userId, limit, beforeSeqId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            operation.Fail(ex);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<long> GetReadMarkerAsync(string userId, string convId, CancellationToken cancellationToken = default)
    {
        Guard.Id(userId, nameof(userId));
        Guard.Id(convId, nameof(convId));
        StoreEngine engine = await GetEngineAsync(cancellationToken).ConfigureAwait(false);
        return await engine.GetReadMarkerAsync(userId, convId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task UpdateReadMarkerAsync(string userId, string convId, long seqId, CancellationToken cancellationToken = default)
    {
        Guard.Id(userId, nameof(userId));
        Guard.Id(convId, nameof(convId));
        Guard.SeqId(seqId, nameof(seqId));
        using Operation operation = _metrics.Start("UpdateReadMarker", duration: null);
        operation.Activity?.SetTag(BlockStoreDiagnostics.UserIdTag, userId);
        operation.Activity?.SetTag(BlockStoreDiagnostics.ConvIdTag, convId);
        try
        {
            StoreEngine engine = await GetEngineAsync(cancellationToken).ConfigureAwait(false);
            await engine.Enqueue(new ReadMarkerOp(userId, convId, seqId)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            operation.Fail(ex);
            throw;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListTimelinesAsync(TimelineKind kind, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StoreEngine engine = await GetEngineAsync(cancellationToken).ConfigureAwait(false);
        await foreach (string id in engine.ListTimelinesAsync(kind, cancellationToken).ConfigureAwait(false))
        {
            yield return id;
        }
    }

    /// <inheritdoc />
    public async Task<long> GetUnreadCountAsync(string userId, string convId, CancellationToken cancellationToken = default)
    {
        Guard.Id(userId, nameof(userId));
        Guard.Id(convId, nameof(convId));
        StoreEngine engine = await GetEngineAsync(cancellationToken).ConfigureAwait(false);
        return await engine.GetUnreadCountAsync(userId, convId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<long> GetUnreadTotalAsync(string userId, CancellationToken cancellationToken = default)
    {
        Guard.Id(userId, nameof(userId));
        StoreEngine engine = await GetEngineAsync(cancellationToken).ConfigureAwait(false);
        return await engine.GetUnreadTotalAsync(userId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<StoreStats> GetStatsAsync(CancellationToken cancellationToken = default)
    {
        StoreEngine engine = await GetEngineAsync(cancellationToken).ConfigureAwait(false);
        return await engine.GetStatsAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<VerificationReport> VerifyAsync(CancellationToken cancellationToken = default)
    {
        using Operation operation = _metrics.Start("Verify", duration: null);
        try
        {
            StoreEngine engine = await GetEngineAsync(cancellationToken).ConfigureAwait(false);
            return await engine.VerifyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            operation.Fail(ex);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task BackupAsync(string destination, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        using Operation operation = _metrics.Start("Backup", duration: null);
        try
        {
            StoreEngine engine = await GetEngineAsync(cancellationToken).ConfigureAwait(false);
            await engine.BackupAsync(Path.GetFullPath(destination), cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            operation.Fail(ex);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_engine is not { } engine)
        {
            return;
        }

        await engine.Enqueue(new FlushOp()).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Finishes pending writes, seals open blocks and releases the data set.</summary>
    /// <returns>A task that completes when the data set is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _openLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_engine is { } engine)
            {
                _engine = null;
                await engine.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _openLock.Release();
            _metrics.Dispose();
        }
    }

    /// <summary>Runs <paramref name="call"/> on the engine's writer inside a turn (opening the store first): tests reach writer-side steps through it.</summary>
    internal async Task RunOnWriterAsync(Func<StoreEngine, Task> call) =>
        await (await GetEngineAsync(CancellationToken.None).ConfigureAwait(false)).RunOnWriterAsync(call).ConfigureAwait(false);

    /// <summary>The last durable write that failed since the last successful journal write; null when none did or the store is not open.</summary>
    internal WriteFailure? LastWriteFailure => _engine?.LastWriteFailure;

    /// <summary>The first of the seals failing since the last successful one (with the latest exception); null when sealing works or the store is not open.</summary>
    internal WriteFailure? SealFailure => _engine?.SealFailure;

    /// <summary>True while writes are refused because sealing fails and the journal or the open blocks passed their budgets.</summary>
    internal bool RefusingWrites => _engine?.RefusingWrites ?? false;

    /// <summary>Opens the store when needed, then asks its provider whether the storage answers and the data set is still this store's; throws when not.</summary>
    internal async Task CheckStorageAsync(CancellationToken cancellationToken)
    {
        StoreEngine engine = await GetEngineAsync(cancellationToken).ConfigureAwait(false);
        await engine.CheckStorageAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The timeline working set now: how many timelines it holds, the bytes charged for them, and the evictions since open.</summary>
    internal (int Timelines, long Bytes, long Evictions) WorkingSet =>
        _engine is { } engine ? (engine.WorkingSetCount, engine.WorkingSetBytes, engine.Evictions) : default;

    /// <summary>Closes the store synchronously (for containers disposed without <c>await</c>).</summary>
    /// <remarks>
    /// The close runs on the thread pool and this call waits for it there, so a caller's single-threaded
    /// <see cref="SynchronizationContext"/> (a UI thread, a legacy request context) can never deadlock it.
    /// Prefer <see cref="DisposeAsync"/> wherever the caller can await.
    /// </remarks>
    public void Dispose() => Task.Run(() => DisposeAsync().AsTask()).GetAwaiter().GetResult();

    private async Task<StoreEngine> OpenTracedAsync(CancellationToken cancellationToken)
    {
        using Operation operation = _metrics.Start("Open", duration: null);
        try
        {
            return await StoreEngine.OpenAsync(_options, _provider, _logger, _metrics, _budgets, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            operation.Fail(ex);
            throw;
        }
    }

    /// <summary>Watches through the open engine directly (one iterator less per idle watch), or opens it on first enumeration.</summary>
    private IAsyncEnumerable<Message> WatchTimeline(TimelineKey key, long afterSeqId, CancellationToken cancellationToken) =>
        _engine is { } engine ? engine.WatchAsync(key, afterSeqId, cancellationToken) : OpenAndWatchAsync(key, afterSeqId, cancellationToken);

    private async IAsyncEnumerable<Message> OpenAndWatchAsync(TimelineKey key, long afterSeqId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        StoreEngine engine = await GetEngineAsync(cancellationToken).ConfigureAwait(false);
        await foreach (Message message in engine.WatchAsync(key, afterSeqId, cancellationToken).ConfigureAwait(false))
        {
            yield return message;
        }
    }

    private async Task<TimelineInfo> GetOrCreateTimelineAsync(TimelineKind kind, string id, CancellationToken cancellationToken)
    {
        StoreEngine engine = await GetEngineAsync(cancellationToken).ConfigureAwait(false);
        if (await engine.FindTimelineAsync(kind, id, cancellationToken).ConfigureAwait(false) is { } info)
        {
            return info;
        }

        return await engine.Enqueue(new CreateTimelineOp(kind, id)).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private ValueTask<StoreEngine> GetEngineAsync(CancellationToken cancellationToken)
    {
        StoreEngine? engine = _engine;
        return engine is not null ? ValueTask.FromResult(engine) : new ValueTask<StoreEngine>(OpenEngineAsync(cancellationToken));
    }

    private async Task<StoreEngine> OpenEngineAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _openLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return _engine ??= await OpenTracedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _openLock.Release();
        }
    }
}
