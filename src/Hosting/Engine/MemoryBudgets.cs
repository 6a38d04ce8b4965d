using System.Collections.Concurrent;

namespace BlockStore.Engine;

/// <summary>
/// The memory budgets of a process (block cache, timeline working set, open blocks), shared by every engine opened with them,
/// so that many open data sets cost the budgets once rather than once each.
/// </summary>
internal sealed class MemoryBudgets(BlockStoreOptions options)
{
    private readonly ConcurrentDictionary<StoreEngine, byte> _engines = new();
    private long _workingSetBytes;
    private long _openBlockBytes;
    private int _nextOwner;

    /// <summary>The decoded-block cache of all engines; each keys its blocks by its own owner number.</summary>
    public BlockCache Cache { get; } = new(options.CacheSizeBytes);

    /// <summary>The bytes all engines' timeline working sets may hold together.</summary>
    public long WorkingSetLimit { get; } = options.TimelineCacheBytes;

    /// <summary>The bytes all engines' open blocks should hold together.</summary>
    public long OpenBlocksLimit { get; } = options.OpenBlocksMaxBytes;

    /// <summary>The bytes all working sets are charged now.</summary>
    public long WorkingSetBytes => Interlocked.Read(ref _workingSetBytes);

    /// <summary>The bytes all open blocks hold now.</summary>
    public long OpenBlockBytes => Interlocked.Read(ref _openBlockBytes);

    /// <summary>How many engines share the budgets now.</summary>
    public int Engines => _engines.Count;

    /// <summary>Joins an engine to the budgets and returns its owner number in the block cache.</summary>
    public int Join(StoreEngine engine)
    {
        _engines.TryAdd(engine, 0);
        return Interlocked.Increment(ref _nextOwner);
    }

    /// <summary>Takes a closed engine and what it still held out of the budgets.</summary>
    public void Leave(StoreEngine engine, long workingSetBytes, long openBlockBytes)
    {
        _engines.TryRemove(engine, out _);
        ChargeWorkingSet(-workingSetBytes);
        ChargeOpenBlocks(-openBlockBytes);
    }

    /// <summary>Charges a working-set change; when it brings the total over the limit, asks every engine to trim.</summary>
    public void ChargeWorkingSet(long change)
    {
        if (Interlocked.Add(ref _workingSetBytes, change) > WorkingSetLimit && change > 0)
        {
            foreach (StoreEngine engine in _engines.Keys)
            {
                engine.RequestTrim();
            }
        }
    }

    /// <summary>Charges an open-blocks change.</summary>
    public void ChargeOpenBlocks(long change) => Interlocked.Add(ref _openBlockBytes, change);
}
