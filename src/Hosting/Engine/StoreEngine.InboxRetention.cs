using BlockStore.Providers;

namespace BlockStore.Engine;

/// <summary>
/// The inbox under retention. Expiry itself writes nothing to the index (no row, no count): a message expires when time passes,
/// not when something is written. Readers take it off as reads do, from what the row holds and the conversation's cutoff:
/// since CreatedAt never decreases along a timeline, the conversation's messages older than the cutoff are a prefix of it,
/// so a row with nothing unread, or whose read marker is past that prefix, keeps its count; a row whose newest entry is in
/// it counts nothing and leaves the list; only a row with unread entries on both sides of the cutoff is counted again from
/// the user's timeline, above the prefix. Once a compaction has removed expired entries for good, the writer settles the
/// rows they were unread in: the stored unread count becomes what reads show, so lifting the retention later (which brings
/// back only what no compaction removed) leaves the counts exact. Settling sets a count rather than subtracting from it, so
/// doing it again changes nothing.
/// </summary>
internal sealed partial class StoreEngine
{
    /// <summary>Rows of the user's inbox one read of the index takes while summing the unread counts under retention.</summary>
    private const int TotalPageSize = 1_024;

    /// <summary>True when <paramref name="message"/>, a conversation's newest entry for some user, has expired at <paramref name="nowMs"/>.</summary>
    private bool Expired(Message message, long nowMs) =>
        !_rules.IsEmpty && message.CreatedAt.ToUnixTimeMilliseconds() < _rules.ExpiredBefore(message.ConvId, nowMs);

    /// <summary>The unread count of <paramref name="row"/> as reads show it at <paramref name="nowMs"/>: without its expired entries.</summary>
    private ValueTask<long> UnreadAsync(string userId, InboxRow row, long nowMs, CancellationToken cancellationToken)
    {
        long unread = Math.Max(0, row.Count - row.ReadCount);
        if (unread == 0 || _rules.IsEmpty || _rules.ExpiredBefore(row.ConvId, nowMs) is var expiredBefore && expiredBefore == long.MinValue)
        {
            return ValueTask.FromResult(unread);
        }

        return UnreadUnexpiredAsync(userId, row, unread, expiredBefore, cancellationToken);
    }

    private async ValueTask<long> UnreadUnexpiredAsync(string userId, InboxRow row, long unread, long expiredBefore, CancellationToken cancellationToken)
    {
        long firstLive = await FirstMessageSinceAsync(row.ConvId, expiredBefore, cancellationToken).ConfigureAwait(false);
        if (firstLive > row.LastSeqId)
        {
            return 0;
        }

        return firstLive <= row.ReadSeqId + 1
            ? unread
            : await CountAboveAsync(userId, row.ConvId, firstLive - 1, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The SeqId of the conversation's first message not created before <paramref name="fromMs"/>, long.MaxValue when there is none.</summary>
    private async ValueTask<long> FirstMessageSinceAsync(string convId, long fromMs, CancellationToken cancellationToken)
    {
        DateTimeOffset from = DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(0, fromMs));
        IReadOnlyList<Message> first = await GetConvMessagesByTimeAsync(convId, from, DateTimeOffset.MaxValue, 1, cancellationToken).ConfigureAwait(false);
        return first.Count > 0 ? first[0].SeqId : long.MaxValue;
    }

    /// <summary>Compaction side: notes the conversations some of whose entries in <paramref name="entries"/> the rewrite of the user's timeline drops as expired.</summary>
    private void NoteExpired(string userId, UserEntry[] entries, in UserView view, HashSet<(string User, string Conv)> expired)
    {
        foreach (UserEntry entry in entries)
        {
            if (view.Hidden(entry) && _rules.MaxAgeMs(entry.ConvId) != 0)
            {
                expired.Add((userId, entry.ConvId));
            }
        }
    }

    /// <summary>
    /// Writer side, after a compaction's rewrites removed expired entries: sets each noted row's count so that its unread count
    /// is what reads show now. Expired entries at or below the read marker need nothing: they are in the count and the read
    /// count alike. Deleted rows (erased users or conversations) are passed over.
    /// </summary>
    private async Task SettleExpiredInboxAsync(HashSet<(string User, string Conv)> expired)
    {
        if (expired.Count == 0)
        {
            return;
        }

        await SaveInboxAsync().ConfigureAwait(false);
        long nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var changes = new List<InboxActivity>();
        foreach ((string userId, string convId) in expired)
        {
            if (await _session.Inbox.GetAsync(userId, convId).ConfigureAwait(false) is { } row && row.Count > row.ReadCount)
            {
                long unread = await UnreadAsync(userId, row, nowMs, CancellationToken.None).ConfigureAwait(false);
                if (unread < row.Count - row.ReadCount)
                {
                    changes.Add(new InboxActivity(userId, convId, 0, unread - (row.Count - row.ReadCount)));
                }
            }
        }

        expired.Clear();
        if (changes.Count == 0)
        {
            return;
        }

        _inbox.InboxesChanging(changes.Select(static c => c.UserId));
        _inbox.BeginSave();
        try
        {
            await _session.Inbox.SaveActivityAsync(changes, Volatile.Read(ref _lastSeqId)).ConfigureAwait(false);
        }
        finally
        {
            _inbox.EndSave(activitySaved: false);
        }
    }

    /// <summary>The user's unread total when some conversation has a retention: the rows' counts, each without its expired entries.</summary>
    private async Task<long> GetUnreadTotalWithRetentionAsync(string userId, CancellationToken cancellationToken)
    {
        while (true)
        {
            (long generation, _, Dictionary<string, InboxChange>? changes) = _inbox.Snapshot(userId);
            var rows = new List<InboxRow>();
            long before = long.MaxValue;
            while (true)
            {
                List<InboxRow> page = await ReadInboxPageAsync(userId, before, TotalPageSize, changes, cancellationToken).ConfigureAwait(false);
                rows.AddRange(page);
                if (page.Count < TotalPageSize)
                {
                    break;
                }

                before = page[^1].LastSeqId;
            }

            if (_inbox.IsCurrent(generation))
            {
                long nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                long total = 0;
                foreach (InboxRow row in rows)
                {
                    total += await UnreadAsync(userId, row, nowMs, cancellationToken).ConfigureAwait(false);
                }

                return total;
            }

            await Task.Yield();
        }
    }
}
