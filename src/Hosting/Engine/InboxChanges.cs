using System.Runtime.InteropServices;
using BlockStore.Providers;

namespace BlockStore.Engine;

/// <summary>
/// The inbox activity the writer has applied but not yet saved to the provider's inbox index: per user and conversation, the
/// newest SeqId and how many counted entries were added. It holds only what the journal holds too (the writer saves and
/// clears it before sealing drops journal records), so it is bounded like the journal.
/// </summary>
/// <remarks>
/// Only the writer changes it, and it drops a user's cached inbox (<see cref="InboxCache"/>) whenever that inbox changes. Readers take a snapshot of one user's changes with the current generation, read the index,
/// and use the pair only if no save to the index was under way or began meanwhile (a save moves the generation when it begins
/// and when it ends), so a change is never counted both in the snapshot and in the index, nor missed by both.
/// </remarks>
internal sealed class InboxChanges(InboxCache cache)
{
    private readonly Lock _lock = new();
    /// <summary>The most emptied per-user dictionaries kept for reuse after a save, and the most entries one may have held to be kept.</summary>
    private const int MaxSpare = 4_096;

    private const int MaxSpareEntries = 16;

    private readonly Dictionary<string, Dictionary<string, InboxChange>> _users = new(StringComparer.Ordinal);

    /// <summary>Per-user dictionaries emptied by a save, reused by the next activity so each save does not reallocate every recipient's.</summary>
    private readonly Stack<Dictionary<string, InboxChange>> _spare = new();
    private long _generation;

    /// <summary>Moves whenever a user's inbox changes (new activity, a read marker), so a reader can tell whether what it read is still current.</summary>
    private long _version;

    /// <summary>The cache of whole inboxes, whose entries this class drops as the inboxes change.</summary>
    public InboxCache Cache => cache;

    /// <summary>How many user and conversation pairs hold unsaved activity.</summary>
    public int Count { get; private set; }

    /// <summary>Whether the sender of a message is the user: their id, written in decimal, is the user id.</summary>
    public static bool IsOwn(uint senderId, string userId)
    {
        Span<char> digits = stackalloc char[10];
        return senderId.TryFormat(digits, out int written, provider: System.Globalization.CultureInfo.InvariantCulture)
            && userId.AsSpan().SequenceEqual(digits[..written]);
    }

    /// <summary>Writer side: records one message's activity for each of its recipients.</summary>
    public void Record(string convId, uint senderId, long seqId, string[] userIds)
    {
        lock (_lock)
        {
            foreach (string userId in userIds)
            {
                ref InboxChange change = ref Change(Convs(userId), convId);
                change = change with { LastSeqId = seqId, Added = change.Added + (IsOwn(senderId, userId) ? 0 : 1) };
                cache.Invalidate(userId);
            }

            _version++;
        }
    }

    /// <summary>Writer side: records the delete of message <paramref name="targetSeqId"/> for each of its recipients, for whom it no longer counts.</summary>
    public void RecordRemoval(string convId, uint senderId, long targetSeqId, string[] userIds)
    {
        lock (_lock)
        {
            foreach (string userId in userIds)
            {
                if (!IsOwn(senderId, userId))
                {
                    ref InboxChange change = ref Change(Convs(userId), convId);
                    change = change with { Added = change.Added - 1, Removed = [.. change.Removed ?? [], targetSeqId] };
                }

                cache.Invalidate(userId);
            }

            _version++;
        }
    }

    /// <summary>Writer side: the unsaved change of one user in one conversation (default when none).</summary>
    public InboxChange Get(string userId, string convId)
    {
        lock (_lock)
        {
            return _users.TryGetValue(userId, out Dictionary<string, InboxChange>? convs) ? convs.GetValueOrDefault(convId) : default;
        }
    }

    private Dictionary<string, InboxChange> Convs(string userId)
    {
        ref Dictionary<string, InboxChange>? convs = ref CollectionsMarshal.GetValueRefOrAddDefault(_users, userId, out _);
        return convs ??= _spare.TryPop(out Dictionary<string, InboxChange>? spare) ? spare : new Dictionary<string, InboxChange>(StringComparer.Ordinal);
    }

    /// <summary>The unsaved change of a conversation, added empty when there is none (counted in <see cref="Count"/>).</summary>
    private ref InboxChange Change(Dictionary<string, InboxChange> convs, string convId)
    {
        // One look-up: the caller updates the change where the dictionary holds it.
        ref InboxChange change = ref CollectionsMarshal.GetValueRefOrAddDefault(convs, convId, out bool exists);
        Count += exists ? 0 : 1;
        return ref change;
    }

    /// <summary>Reader side: a copy of one user's unsaved changes (null when none), the generation it belongs to, and the version of the inboxes.</summary>
    public (long Generation, long Version, Dictionary<string, InboxChange>? Changes) Snapshot(string userId)
    {
        lock (_lock)
        {
            return (_generation, _version, _users.TryGetValue(userId, out Dictionary<string, InboxChange>? convs) ? new(convs, StringComparer.Ordinal) : null);
        }
    }

    /// <summary>Reader side: caches a user's whole inbox, read from a snapshot of <paramref name="version"/>, unless an inbox changed since.</summary>
    public void TryCache(string userId, long version, InboxRow[] rows)
    {
        lock (_lock)
        {
            if (_version == version)
            {
                cache.Admit(userId, rows);
            }
        }
    }

    /// <summary>Reader side: the unsaved change of one user in one conversation and the generation it belongs to.</summary>
    public (long Generation, InboxChange Change) Snapshot(string userId, string convId)
    {
        lock (_lock)
        {
            return (_generation, _users.TryGetValue(userId, out Dictionary<string, InboxChange>? convs) ? convs.GetValueOrDefault(convId) : default);
        }
    }

    /// <summary>Reader side: whether a snapshot of <paramref name="generation"/> may be combined with what the index answered since: no save was under way then, and none began.</summary>
    public bool IsCurrent(long generation) => (generation & 1) == 0 && Volatile.Read(ref _generation) == generation;

    /// <summary>
    /// Writer side: every unsaved change, for the index, and where among them deletes are (their <see cref="InboxActivity.ReadRemoved"/>
    /// depends on the read marker the index holds, which the caller looks up).
    /// </summary>
    public (List<InboxActivity> Changes, List<(int Index, long[] Removed)>? Removals) ToActivity()
    {
        lock (_lock)
        {
            var changes = new List<InboxActivity>(Count);
            List<(int Index, long[] Removed)>? removals = null;
            foreach (KeyValuePair<string, Dictionary<string, InboxChange>> user in _users)
            {
                foreach (KeyValuePair<string, InboxChange> conv in user.Value)
                {
                    if (conv.Value.Removed is { } removed)
                    {
                        (removals ??= []).Add((changes.Count, removed));
                    }

                    changes.Add(new InboxActivity(user.Key, conv.Key, conv.Value.LastSeqId, conv.Value.Added));
                }
            }

            return (changes, removals);
        }
    }

    /// <summary>Writer side: a save to the index begins; until <see cref="EndSave"/>, no snapshot may be combined with the index.</summary>
    public void BeginSave()
    {
        lock (_lock)
        {
            _generation++;
        }
    }

    /// <summary>Writer side: read markers of these users are about to be saved, or a message they got was edited; their cached inboxes are dropped.</summary>
    public void InboxesChanging(IEnumerable<string> userIds)
    {
        lock (_lock)
        {
            foreach (string userId in userIds)
            {
                cache.Invalidate(userId);
            }

            _version++;
        }
    }

    /// <summary>Writer side: forgets the unsaved activity of one user (erased) and every cached inbox; snapshots taken before are no longer current.</summary>
    public void ForgetUser(string userId)
    {
        lock (_lock)
        {
            if (_users.Remove(userId, out Dictionary<string, InboxChange>? convs))
            {
                Count -= convs.Count;
            }

            ForgetCached();
        }
    }

    /// <summary>Writer side: forgets every user's unsaved activity in one conversation (erased) and every cached inbox; snapshots taken before are no longer current.</summary>
    public void ForgetConversation(string convId)
    {
        lock (_lock)
        {
            foreach (KeyValuePair<string, Dictionary<string, InboxChange>> user in _users)
            {
                if (user.Value.Remove(convId))
                {
                    Count--;
                    if (user.Value.Count == 0)
                    {
                        _users.Remove(user.Key);
                    }
                }
            }

            ForgetCached();
        }
    }

    /// <summary>Writer side: rows left the index; every cached inbox is dropped and snapshots taken before are no longer current.</summary>
    public void Forgotten()
    {
        lock (_lock)
        {
            ForgetCached();
        }
    }

    private void ForgetCached()
    {
        cache.Clear();
        _version++;
        _generation += 2;
    }

    /// <summary>Writer side: the save to the index ended; when <paramref name="activitySaved"/>, the index now holds every change, which are forgotten.</summary>
    public void EndSave(bool activitySaved)
    {
        lock (_lock)
        {
            if (activitySaved)
            {
                foreach (Dictionary<string, InboxChange> convs in _users.Values)
                {
                    if (_spare.Count < MaxSpare && convs.Count <= MaxSpareEntries)
                    {
                        convs.Clear();
                        _spare.Push(convs);
                    }
                }

                _users.Clear();
                Count = 0;
            }

            _generation++;
        }
    }
}

/// <summary>Unsaved inbox activity of one user in one conversation: the newest SeqId, the counted entries added, and the counted entries deleted.</summary>
/// <param name="LastSeqId">The newest SeqId, 0 when no entry was added.</param>
/// <param name="Added">How many counted entries (not the user's own) were added, less those deleted.</param>
/// <param name="Removed">The SeqIds of the counted entries deleted, null when none were.</param>
/// <remarks>
/// A read marker saved while a delete is unsaved counts the deleted entry as read when it is at or below the marker (as the
/// index, which still counts it, would), so saving the delete takes it off the read count exactly when it is at or below the
/// marker the index holds then, and a journal replay of the delete after a crash does the same.
/// </remarks>
internal readonly record struct InboxChange(long LastSeqId, long Added, long[]? Removed = null)
{
    /// <summary>How many of <paramref name="removed"/> are at or below <paramref name="readSeqId"/>.</summary>
    public static long CountAtOrBelow(long[]? removed, long readSeqId)
    {
        long count = 0;
        foreach (long seqId in removed ?? [])
        {
            count += seqId <= readSeqId ? 1 : 0;
        }

        return count;
    }

    /// <summary>The row the index will hold for this conversation once this change is saved over <paramref name="saved"/>.</summary>
    public InboxRow ApplyTo(string convId, InboxRow saved) =>
        new(convId, Math.Max(saved.LastSeqId, LastSeqId), saved.Count + Added, saved.ReadSeqId, saved.ReadCount - CountAtOrBelow(Removed, saved.ReadSeqId));
}
