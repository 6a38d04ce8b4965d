namespace BlockStore.Engine;

/// <summary>
/// Lets the writer wait until every read that started before a point in time has finished, without readers taking a lock:
/// each read counts itself in one of two epochs; the writer moves to the next epoch and waits for the previous one to drain.
/// Compaction waits so before it frees blocks a reader may still be reading.
/// </summary>
internal sealed class ReaderGate
{
    private readonly long[] _active = new long[2];
    private long _epoch;

    /// <summary>Counts a read in until the scope is disposed.</summary>
    public Scope Enter()
    {
        while (true)
        {
            long epoch = Volatile.Read(ref _epoch);
            int slot = (int)(epoch & 1);
            Interlocked.Increment(ref _active[slot]);
            if (Volatile.Read(ref _epoch) == epoch)
            {
                return new Scope(this, slot);
            }

            Interlocked.Decrement(ref _active[slot]);
        }
    }

    /// <summary>Completes once every read counted in before this call has finished. One caller at a time.</summary>
    public async Task WaitForReadersAsync()
    {
        long previous = Interlocked.Increment(ref _epoch) - 1;
        int slot = (int)(previous & 1);
        while (Volatile.Read(ref _active[slot]) > 0)
        {
            await Task.Delay(1).ConfigureAwait(false);
        }
    }

    /// <summary>One read's place in its epoch.</summary>
    public readonly struct Scope(ReaderGate gate, int slot) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref gate._active[slot]);
    }
}
