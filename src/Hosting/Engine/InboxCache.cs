using System.Collections.Concurrent;
using BlockStore.Providers;

namespace BlockStore.Engine;

/// <summary>
/// A byte-budgeted cache of whole inboxes (every row of a user, newest activity first, with the last messages read so far),
/// so that paging a hot inbox costs no index lookup and no block read. Only users with at most <see cref="MaxRows"/> conversations are cached; past the budget, entries are
/// dropped until it fits again. <see cref="InboxChanges"/> drops a user's entry whenever the user's inbox changes.
/// </summary>
internal sealed class InboxCache(long budgetBytes)
{
    /// <summary>The most rows a cached inbox holds; larger inboxes are read page by page from the index.</summary>
    public const int MaxRows = 2_048;

    /// <summary>The largest body of a last message kept in a cached inbox; a longer one is read again each time.</summary>
    public const int MaxMessageBytes = 96;

    private const int RowOverhead = 64 + 96 + MaxMessageBytes;

    private readonly ConcurrentDictionary<string, Cached> _users = new(StringComparer.Ordinal);
    private long _bytes;

    /// <summary>The bytes the cache is charged now.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>The user's cached inbox: its rows, newest activity first, and beside each the row's last message once a reader has read it.</summary>
    public bool TryGet(string userId, out InboxRow[] rows, out Message?[] lastMessages)
    {
        if (_users.TryGetValue(userId, out Cached? cached))
        {
            rows = cached.Rows;
            lastMessages = cached.LastMessages;
            return true;
        }

        rows = [];
        lastMessages = [];
        return false;
    }

    /// <summary>Caches a user's whole inbox; the caller makes sure no change to it happened since it was read.</summary>
    public void Admit(string userId, InboxRow[] rows)
    {
        // A row's charge includes room for a last message of up to MaxMessageBytes.
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
        if (_users.TryAdd(userId, new Cached(rows, new Message?[rows.Length], bytes)) && Interlocked.Add(ref _bytes, bytes) > budgetBytes)
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

    /// <summary>Drops every cached inbox.</summary>
    public void Clear()
    {
        foreach (string userId in _users.Keys)
        {
            Invalidate(userId);
        }
    }

    /// <summary>Drops a user's cached inbox; the lock-free look-up first keeps the writer, which calls this for every recipient, off the dictionary's locks when nothing is cached.</summary>
    public void Invalidate(string userId)
    {
        if (_users.TryGetValue(userId, out _) && _users.TryRemove(userId, out Cached? cached))
        {
            Interlocked.Add(ref _bytes, -cached.Bytes);
        }
    }

    /// <summary>One cached inbox; <paramref name="LastMessages"/> is filled by readers as they read (any change to the inbox drops the whole entry).</summary>
    private sealed record Cached(InboxRow[] Rows, Message?[] LastMessages, long Bytes);
}
