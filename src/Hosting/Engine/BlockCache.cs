using System.Collections.Concurrent;

namespace BlockStore.Engine;

/// <summary>
/// A byte-budgeted cache of decoded sealed blocks, keyed by owner (the engine) and store location. Hits take no lock (they set a reference bit);
/// inserts evict with the CLOCK second-chance policy, an approximation of LRU, under a lock held only by inserters.
/// </summary>
internal sealed class BlockCache(long budgetBytes)
{
    private readonly ConcurrentDictionary<Int128, Node> _map = new();
    private readonly Queue<Int128> _clock = new();
    private readonly Lock _evictLock = new();
    private long _bytes;
    private long _hits;
    private long _misses;

    public long Bytes => Interlocked.Read(ref _bytes);

    public int Count => _map.Count;

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    public static Int128 KeyOf(int owner, StoreIndex location) => ((Int128)owner << 64) | (Int128)(ulong)((location.StoreId << 40) | location.Offset);

    public bool TryGet(Int128 key, out object entries)
    {
        if (_map.TryGetValue(key, out Node? node))
        {
            node.Referenced = true;
            entries = node.Entries;
            Interlocked.Increment(ref _hits);
            return true;
        }

        Interlocked.Increment(ref _misses);
        entries = null!;
        return false;
    }

    public void Add(Int128 key, object entries, long cost)
    {
        if (cost > budgetBytes || !_map.TryAdd(key, new Node(entries, cost)))
        {
            return;
        }

        lock (_evictLock)
        {
            _clock.Enqueue(key);
            _bytes += cost;
            while (_bytes > budgetBytes && _clock.TryDequeue(out Int128 candidate))
            {
                if (!_map.TryGetValue(candidate, out Node? node))
                {
                    continue;
                }

                if (node.Referenced)
                {
                    node.Referenced = false;
                    _clock.Enqueue(candidate);
                }
                else if (_map.TryRemove(candidate, out _))
                {
                    _bytes -= node.Cost;
                }
            }
        }
    }

    private sealed class Node(object entries, long cost)
    {
        public object Entries { get; } = entries;

        public long Cost { get; } = cost;

        public volatile bool Referenced;
    }
}
