using System.Diagnostics.Metrics;
using System.Reflection;
using BlockStore.DataSets;
using BlockStore.Engine;
using BlockStore.Providers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlockStore;

/// <summary>
/// The single-process <see cref="IMessageStoreFactory"/>: each data set is a subdirectory of <see cref="BlockStoreOptions.DataDir"/>
/// (File, SQLite) or a <see cref="BlockStoreOptions.DataSet"/> name (PostgreSQL), opened on first use, closed after
/// <see cref="BlockStoreOptions.DataSetIdleTimeout"/> without a call, and sharing the process's memory budgets.
/// </summary>
public sealed class MessageStoreFactory : IMessageStoreFactory
{
    private readonly BlockStoreOptions _options;
    private readonly IBlockStoreProvider _provider;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly MemoryBudgets _budgets;
    private readonly Dictionary<string, OpenDataSet> _open = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> _closing = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly Timer _idleTimer;
    private bool _disposed;

    /// <summary>Creates a factory over <paramref name="provider"/>; nothing is opened until a data set is used.</summary>
    /// <param name="options">The options every data set is opened with (its location aside).</param>
    /// <param name="provider">The storage provider.</param>
    /// <param name="loggerFactory">Where the data sets log; none when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="provider"/> is null.</exception>
    public MessageStoreFactory(IOptions<BlockStoreOptions> options, IBlockStoreProvider provider, ILoggerFactory? loggerFactory = null)
        : this(options, provider, loggerFactory, budgets: null)
    {
    }

    /// <summary>Creates a factory whose data sets share <paramref name="budgets"/> (with the default store), or budgets of their own when null.</summary>
    internal MessageStoreFactory(IOptions<BlockStoreOptions> options, IBlockStoreProvider provider, ILoggerFactory? loggerFactory, MemoryBudgets? budgets)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(provider);
        _options = options.Value;
        _provider = provider;
        _loggerFactory = loggerFactory;
        _budgets = budgets ?? new MemoryBudgets(_options);
        TimeSpan period = TimeSpan.FromTicks(Math.Clamp(_options.DataSetIdleTimeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond * 30));
        _idleTimer = new Timer(static state => ((MessageStoreFactory)state!).CloseIdle(), this, period, period);
    }

    /// <summary>How many data sets are open now.</summary>
    public int OpenCount
    {
        get
        {
            lock (_lock)
            {
                return _open.Count;
            }
        }
    }

    /// <summary>The bytes the working sets of all open data sets are charged now, against <see cref="BlockStoreOptions.TimelineCacheBytes"/>.</summary>
    internal long WorkingSetBytes => _budgets.WorkingSetBytes;

    /// <summary>The bytes the block cache of all open data sets holds now, against <see cref="BlockStoreOptions.CacheSizeBytes"/>.</summary>
    internal long CacheBytes => _budgets.Cache.Bytes;

    /// <summary>The bytes the open blocks of all open data sets hold now, against <see cref="BlockStoreOptions.OpenBlocksMaxBytes"/>.</summary>
    internal long OpenBlockBytes => _budgets.OpenBlockBytes;

    /// <inheritdoc />
    public IMessageStore Get(string dataSetId)
    {
        Guard.Id(dataSetId, nameof(dataSetId));
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        return new DataSetStore(this, dataSetId);
    }

    /// <summary>Closes a data set now if it is open (calls in flight finish first or fail with <see cref="ObjectDisposedException"/>); the next call opens it again.</summary>
    /// <param name="dataSetId">The data set id.</param>
    /// <returns>A task that completes when the data set is closed and released.</returns>
    /// <exception cref="ArgumentException"><paramref name="dataSetId"/> is not a valid id.</exception>
    public Task CloseAsync(string dataSetId)
    {
        Guard.Id(dataSetId, nameof(dataSetId));
        lock (_lock)
        {
            return _open.Remove(dataSetId, out OpenDataSet? open) ? StartClose(dataSetId, open) : _closing.GetValueOrDefault(dataSetId) ?? Task.CompletedTask;
        }
    }

    /// <summary>Closes every open data set and stops closing idle ones.</summary>
    /// <returns>A task that completes when every data set is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        await _idleTimer.DisposeAsync().ConfigureAwait(false);
        Task[] closing;
        lock (_lock)
        {
            _disposed = true;
            foreach ((string id, OpenDataSet open) in _open)
            {
                StartClose(id, open);
            }

            _open.Clear();
            closing = [.. _closing.Values];
        }

        await Task.WhenAll(closing).ConfigureAwait(false);
    }

    /// <summary>Takes the data set for one call, opening its store object (not yet the data set) when it is not open; pair with <see cref="Release"/>.</summary>
    internal async ValueTask<OpenDataSet> AcquireAsync(string dataSetId, CancellationToken cancellationToken)
    {
        OpenDataSet open;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_open.TryGetValue(dataSetId, out open!))
            {
                open = new OpenDataSet(CreateStore(dataSetId), _closing.GetValueOrDefault(dataSetId) ?? Task.CompletedTask);
                _open.Add(dataSetId, open);
            }

            open.Users++;
        }

        if (!open.Ready.IsCompleted)
        {
            await open.Ready.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (cancellationToken.IsCancellationRequested)
            {
                Release(open);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        return open;
    }

    /// <summary>Ends one call's use of a data set.</summary>
    internal void Release(OpenDataSet open)
    {
        lock (_lock)
        {
            open.Users--;
            open.IdleSince = Environment.TickCount64;
        }
    }

    private MessageStore CreateStore(string dataSetId)
    {
        var options = new BlockStoreOptions();
        foreach (PropertyInfo property in typeof(BlockStoreOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.CanWrite)
            {
                property.SetValue(options, property.GetValue(_options));
            }
        }

        options.DataDir = DataSetDirectory.PathOf(_options.DataDir, dataSetId);
        options.DataSet = dataSetId;
        return new MessageStore(Options.Create(options), _provider, _loggerFactory, meterFactory: null, _budgets);
    }

    private void CloseIdle()
    {
        long now = Environment.TickCount64;
        long idleMs = (long)_options.DataSetIdleTimeout.TotalMilliseconds;
        lock (_lock)
        {
            List<string>? idle = null;
            foreach ((string id, OpenDataSet open) in _open)
            {
                if (open.Users == 0 && now - open.IdleSince >= idleMs)
                {
                    (idle ??= []).Add(id);
                }
            }

            foreach (string id in idle ?? [])
            {
                _open.Remove(id, out OpenDataSet? open);
                StartClose(id, open!);
            }
        }
    }

    /// <summary>Starts closing a data set removed from the open ones (under the lock); a reopen waits for the returned task.</summary>
    private Task StartClose(string dataSetId, OpenDataSet open)
    {
        Task previous = open.Ready;
        Task closing = CloseAsync(previous, open.Store);
        _closing[dataSetId] = closing;
        _ = closing.ContinueWith(
            (done, state) =>
            {
                var factory = (MessageStoreFactory)state!;
                lock (factory._lock)
                {
                    if (factory._closing.TryGetValue(dataSetId, out Task? current) && current == done)
                    {
                        factory._closing.Remove(dataSetId);
                    }
                }
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return closing;
    }

    private static async Task CloseAsync(Task previous, MessageStore store)
    {
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await store.DisposeAsync().ConfigureAwait(false);
    }
}
