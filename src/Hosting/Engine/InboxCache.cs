using System.Collections.Concurrent;
using BlockStore.Providers;

namespace BlockStore.Engine;

/// <summary>
/// A byte-budgeted cache of whole inboxes (every row of a user, newest activity first), so that paging a hot inbox costs no
/// index lookup. Only users with at most <see cref="MaxRows"/> conversations are cached; past the budget, entries are
/// dropped until it fits again. <see cref="InboxChanges"/> drops a user's entry whenever the user's inbox changes.
/// </summary>
internal sealed class InboxCache(long budgetBytes)
{
    /// <summary>The most rows a cached inbox holds; larger inboxes are read page by page from the index.</summary>
    public const int MaxRows = 2_048;

    private const int RowOverhead = 64;

    private readonly ConcurrentDictionary<string, Cached> _users = new(StringComparer.Ordinal);
    private long _bytes;

    /// <summary>The bytes the cache is charged now.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    public bool TryGet(string userId, out InboxRow[] rows)
    {
        if (_users.TryGetValue(userId, out Cached? cached))
        {
            rows = cached.Rows;
            return true;
        }

        rows = [];
        return false;
    }

    /// <summary>Caches a user's whole inbox; the caller makes sure no change to it happened since it was read.</summary>
    public void Admit(string userId, InboxRow[] rows)
    {
        long bytes = RowOverhead + (2L * userId.Length);
        foreach (InboxRow row in rows)
        {
            bytes += RowOverhead + (2L * row.ConvId.Length);
        }

        if (bytes > budgetBytes)
        {
            return;
        }

        Invalidate(userId);
        if (_users.TryAdd(userId, new Cached(rows, bytes)) && Interlocked.Add(ref _bytes, bytes) > budgetBytes)
        {
            foreach (string other in _users.Keys)
            {
                if (Interlocked.Read(ref _bytes) <= budgetBytes)
                {
                    break;
                }

                if (!string.Equals(other, userId, StringComparison.Ordinal))
                {
                    Invalidate(other);
                }
            }
        }
    }

    public void Invalidate(string userId)
    {
        if (_users.TryRemove(userId, out Cached? cached))
        {
            Interlocked.Add(ref _bytes, -cached.Bytes);
        }
    }

    private sealed record Cached(InboxRow[] Rows, long Bytes);
}
