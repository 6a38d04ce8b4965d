using BlockStore.Diagnostics;
using BlockStore.Providers;
using Microsoft.Extensions.Logging;

namespace BlockStore.Engine;

/// <summary>
/// The inbox: the writer derives each recipient's activity from the messages it applies (<see cref="InboxChanges"/>) and folds
/// it into the provider's inbox index before sealing drops the journal records that hold those messages, so the journal is
/// the durable record of that activity until then and a message costs no extra write. Read markers are saved by the writer
/// like checkpoints. Readers combine the index with the changes not yet saved.
/// </summary>
internal sealed partial class StoreEngine
{
    /// <summary>Unsaved activity past which the writer saves it at the end of a turn, though no seal is due.</summary>
    private const int MaxUnsavedInboxChanges = 65_536;

    /// <summary>How many of a user's messages one read takes while counting the entries above a read marker.</summary>
    private const int CountPageSize = 512;

    private readonly InboxChanges _inbox;

    /// <summary>The SeqId up to which the index held every message's activity at open; replay applies only messages above it.</summary>
    private long _inboxAppliedThrough;

    public async Task<IReadOnlyList<InboxEntry>> GetInboxAsync(string userId, int limit, long beforeSeqId, CancellationToken cancellationToken)
    {
        long before = beforeSeqId == 0 ? long.MaxValue : beforeSeqId;
        long nowMs = _rules.IsEmpty ? 0 : DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var entries = new List<InboxEntry>(Math.Min(limit, InboxCache.MaxRows));
        while (true)
        {
            // A conversation whose messages all expired has no last message and is left out: the page goes on below it.
            int wanted = limit - entries.Count;
            if (!_inbox.Cache.TryGet(userId, out InboxRow[] rows, out Message?[] lastMessages))
            {
                (rows, lastMessages) = await ReadInboxAsync(userId, before, wanted, cancellationToken).ConfigureAwait(false);
            }

            (int start, int count) = Page(rows, before, wanted);
            for (int i = start; i < start + count; i++)
            {
                InboxRow row = rows[i];
                Message? last = lastMessages[i];
                if (last is null)
                {
                    IReadOnlyList<Message> page = await GetConvMessagesAsync(row.ConvId, 1, row.LastSeqId + 1, cancellationToken).ConfigureAwait(false);
                    last = page.Count > 0 ? page[0] : null;
                    if (last is not null && last.Data.Length <= InboxCache.MaxMessageBytes)
                    {
                        lastMessages[i] = last;
                    }
                }

                if (last is not null && !Expired(last, nowMs))
                {
                    long unread = await UnreadAsync(userId, row, nowMs, cancellationToken).ConfigureAwait(false);
                    entries.Add(new InboxEntry(row.ConvId, last, row.ReadSeqId, unread));
                }
            }

            if (entries.Count == limit || count < wanted)
            {
                return entries;
            }

            before = rows[start + count - 1].LastSeqId;
        }
    }

    public async Task<long> GetReadMarkerAsync(string userId, string convId, CancellationToken cancellationToken) =>
        (await _session.Inbox.GetAsync(userId, convId, cancellationToken).ConfigureAwait(false))?.ReadSeqId ?? 0;

    public async Task<long> GetUnreadCountAsync(string userId, string convId, CancellationToken cancellationToken)
    {
        while (true)
        {
            (long generation, InboxChange change) = _inbox.Snapshot(userId, convId);
            InboxRow row = change.ApplyTo(convId, await _session.Inbox.GetAsync(userId, convId, cancellationToken).ConfigureAwait(false) ?? default);
            if (_inbox.IsCurrent(generation))
            {
                return await UnreadAsync(userId, row, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
            }

            await Task.Yield();
        }
    }

    public async Task<long> GetUnreadTotalAsync(string userId, CancellationToken cancellationToken)
    {
        if (_rules.HasRetention)
        {
            return await GetUnreadTotalWithRetentionAsync(userId, cancellationToken).ConfigureAwait(false);
        }

        if (_inbox.Cache.TryGet(userId, out InboxRow[] cached, out _))
        {
            long sum = 0;
            foreach (InboxRow row in cached)
            {
                sum += Math.Max(0, row.Count - row.ReadCount);
            }

            return sum;
        }

        while (true)
        {
            (long generation, _, Dictionary<string, InboxChange>? changes) = _inbox.Snapshot(userId);
            long total = await _session.Inbox.GetUnreadTotalAsync(userId, cancellationToken).ConfigureAwait(false);
            foreach ((string convId, InboxChange change) in changes ?? [])
            {
                // Deletes take an entry off the read count too when the marker has passed it; with no row, there is nothing to delete from.
                InboxRow? row = change.Removed is null ? null : await _session.Inbox.GetAsync(userId, convId, cancellationToken).ConfigureAwait(false);
                if (change.Removed is null || row is not null || change.LastSeqId > 0)
                {
                    total += change.Added + InboxChange.CountAtOrBelow(change.Removed, row?.ReadSeqId ?? 0);
                }
            }

            if (_inbox.IsCurrent(generation))
            {
                return Math.Max(0, total);
            }

            await Task.Yield();
        }
    }

    /// <summary>
    /// Reads the user's inbox from the index and the unsaved activity: the whole of it when it is small enough to cache (and
    /// caches it unless an inbox changed meanwhile), else only the page asked for. Returns the rows with room for their last messages.
    /// </summary>
    private async Task<(InboxRow[] Rows, Message?[] LastMessages)> ReadInboxAsync(string userId, long before, int limit, CancellationToken cancellationToken)
    {
        while (true)
        {
            (long generation, long version, Dictionary<string, InboxChange>? changes) = _inbox.Snapshot(userId);
            List<InboxRow> all = await ReadInboxPageAsync(userId, long.MaxValue, InboxCache.MaxRows, changes, cancellationToken).ConfigureAwait(false);
            if (_inbox.IsCurrent(generation) && all.Count < InboxCache.MaxRows)
            {
                InboxRow[] rows = [.. all];
                _inbox.TryCache(userId, version, rows);
                return (rows, new Message?[rows.Length]);
            }

            if (_inbox.IsCurrent(generation))
            {
                List<InboxRow> page = await ReadInboxPageAsync(userId, before, limit, changes, cancellationToken).ConfigureAwait(false);
                if (_inbox.IsCurrent(generation))
                {
                    return ([.. page], new Message?[page.Count]);
                }
            }

            await Task.Yield();
        }
    }

    /// <summary>Where the first <paramref name="limit"/> rows of an inbox (newest activity first) with activity below <paramref name="before"/> are.</summary>
    private static (int Start, int Count) Page(InboxRow[] rows, long before, int limit)
    {
        int start = 0;
        int end = rows.Length;
        while (start < end)
        {
            int middle = (start + end) >>> 1;
            if (rows[middle].LastSeqId >= before)
            {
                start = middle + 1;
            }
            else
            {
                end = middle;
            }
        }

        return (start, Math.Min(limit, rows.Length - start));
    }

    /// <summary>
    /// One page of the user's rows with the unsaved <paramref name="changes"/> applied: the index is asked for enough rows that
    /// those whose conversation has unsaved activity (and so may have moved up) can be set aside, and each changed conversation
    /// that makes the page is looked up on its own.
    /// </summary>
    private async Task<List<InboxRow>> ReadInboxPageAsync(
        string userId, long before, int limit, Dictionary<string, InboxChange>? changes, CancellationToken cancellationToken)
    {
        int extra = changes?.Count ?? 0;
        IReadOnlyList<InboxRow> stored = await _session.Inbox.GetPageAsync(userId, before, (int)Math.Min(int.MaxValue, (long)limit + extra), cancellationToken).ConfigureAwait(false);
        var rows = new List<InboxRow>(Math.Min(stored.Count + extra, limit + extra));
        foreach (InboxRow row in stored)
        {
            // A conversation with only deletes unsaved keeps its place; one with new entries is placed by them below.
            InboxChange change = changes?.GetValueOrDefault(row.ConvId) ?? default;
            if (change.LastSeqId == 0)
            {
                rows.Add(change.ApplyTo(row.ConvId, row));
            }
        }

        foreach (KeyValuePair<string, InboxChange> change in changes ?? [])
        {
            if (change.Value.LastSeqId is > 0 and var last && last < before)
            {
                rows.Add(new InboxRow(change.Key, last, 0, 0, 0));
            }
        }

        rows.Sort(static (a, b) => b.LastSeqId.CompareTo(a.LastSeqId));
        if (rows.Count > limit)
        {
            rows.RemoveRange(limit, rows.Count - limit);
        }

        for (int i = 0; i < rows.Count; i++)
        {
            if (changes?.GetValueOrDefault(rows[i].ConvId) is { LastSeqId: > 0 } change)
            {
                InboxRow saved = await _session.Inbox.GetAsync(userId, rows[i].ConvId, cancellationToken).ConfigureAwait(false) ?? default;
                rows[i] = change.ApplyTo(rows[i].ConvId, saved);
            }
        }

        return rows;
    }

    /// <summary>
    /// Writer side, between turns, when a user is erased: forgets the user's unsaved inbox activity, saves everyone else's (so a
    /// journal replay cannot bring the user's back) and has the provider delete the user's rows. After a crash part-way, calling
    /// it again completes the erasure.
    /// </summary>
    internal Task ForgetInboxUserAsync(string userId)
    {
        _inbox.ForgetUser(userId);
        return ForgetInboxRowsAsync(() => _session.Inbox.DeleteUserAsync(userId));
    }

    /// <summary>
    /// Writer side, between turns, when a conversation is erased: forgets every user's unsaved inbox activity in it, saves the
    /// rest (so a journal replay cannot bring it back) and has the provider delete every user's row of it. After a crash
    /// part-way, calling it again completes the erasure.
    /// </summary>
    internal Task ForgetInboxConversationAsync(string convId)
    {
        _inbox.ForgetConversation(convId);
        return ForgetInboxRowsAsync(() => _session.Inbox.DeleteConversationAsync(convId));
    }

    private async Task ForgetInboxRowsAsync(Func<ValueTask> delete)
    {
        await SaveInboxAsync(evenIfNone: true).ConfigureAwait(false);
        _inbox.BeginSave();
        try
        {
            await delete().ConfigureAwait(false);
        }
        finally
        {
            _inbox.EndSave(activitySaved: false);
            _inbox.Forgotten();
        }
    }

    /// <summary>
    /// Writer side: records the inbox activity of one applied message (while recovering, only of messages the index lacks).
    /// Edit and delete events change a message already counted and are no activity of their own: a delete takes its target off
    /// the counts, and both drop the recipients' cached inboxes, whose last message may be their target.
    /// </summary>
    private void RecordInbox(PendingMessage message, string convId, bool recovering)
    {
        if (recovering && message.SeqId <= _inboxAppliedThrough)
        {
            return;
        }

        switch (message.Kind)
        {
            case MessageKind.Message:
                _inbox.Record(convId, message.SenderId, message.SeqId, message.UserIds);
                break;
            case MessageKind.Delete:
                _inbox.RecordRemoval(convId, message.SenderId, message.TargetSeqId, message.UserIds);
                break;
            default:
                _inbox.InboxesChanging(message.UserIds);
                break;
        }
    }

    /// <summary>Writer side: saves the turn's read markers, and the unsaved activity when there is much of it.</summary>
    private async Task MaintainInboxAsync(List<WriteOp> ops)
    {
        await SaveReadMarkersAsync(ops).ConfigureAwait(false);
        if (_inbox.Count > MaxUnsavedInboxChanges)
        {
            try
            {
                await SaveInboxAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // The journal still holds the activity; sealing saves it before dropping any record.
                Log.InboxSaveFailed(_logger, ex, _inbox.Count);
                WriteFailed(ex);
            }
        }
    }

    /// <summary>
    /// Writer side: folds the unsaved activity into the index; called before sealing drops journal records. With
    /// <paramref name="evenIfNone"/>, the index records that it holds every message applied so far even when nothing is unsaved.
    /// </summary>
    private async Task SaveInboxAsync(bool evenIfNone = false)
    {
        if (_inbox.Count == 0 && !evenIfNone)
        {
            return;
        }

        (List<InboxActivity> changes, List<(int Index, long[] Removed)>? removals) = _inbox.ToActivity();
        foreach ((int index, long[] removed) in removals ?? [])
        {
            InboxActivity change = changes[index];
            InboxRow? stored = await _session.Inbox.GetAsync(change.UserId, change.ConvId).ConfigureAwait(false);

            // Deletes of entries whose row is gone (its user or conversation erased) have nothing to take off: the row stays gone.
            changes[index] = stored is null && change.LastSeqId == 0
                ? change with { UserId = string.Empty }
                : change with { ReadRemoved = InboxChange.CountAtOrBelow(removed, stored?.ReadSeqId ?? 0) };
        }

        if (removals is not null)
        {
            changes.RemoveAll(static c => c.UserId.Length == 0);
        }

        _inbox.BeginSave();
        bool saved = false;
        try
        {
            await _session.Inbox.SaveActivityAsync(changes, Volatile.Read(ref _lastSeqId)).ConfigureAwait(false);
            saved = true;
        }
        finally
        {
            _inbox.EndSave(saved);
        }
    }

    private async Task SaveReadMarkersAsync(List<WriteOp> ops)
    {
        Dictionary<(string User, string Conv), InboxMarker>? wanted = null;
        List<ReadMarkerOp>? accepted = null;
        try
        {
            foreach (WriteOp op in ops)
            {
                if (op is not ReadMarkerOp marker)
                {
                    continue;
                }

                long last = (await FindForWriteAsync(_convs, marker.ConvId).ConfigureAwait(false))?.LastSeqId ?? 0;
                if (marker.SeqId > last)
                {
                    marker.Fail(new ArgumentOutOfRangeException(
                        "seqId", marker.SeqId, $"The read marker cannot move beyond the conversation's last SeqId ({last})."));
                    continue;
                }

                (accepted ??= []).Add(marker);
                wanted ??= [];
                var key = (marker.UserId, marker.ConvId);
                InboxRow row = await _session.Inbox.GetAsync(marker.UserId, marker.ConvId).ConfigureAwait(false) ?? default;
                long current = wanted.TryGetValue(key, out InboxMarker pending) ? pending.ReadSeqId : row.ReadSeqId;
                if (marker.SeqId <= current)
                {
                    continue;
                }

                // Unsaved deletes at or below the marker count as read (see InboxChange): saving them takes them off again.
                InboxChange change = _inbox.Get(marker.UserId, marker.ConvId);
                long count = row.Count + change.Added + InboxChange.CountAtOrBelow(change.Removed, marker.SeqId);
                long lastActivity = Math.Max(row.LastSeqId, change.LastSeqId);
                long above = marker.SeqId >= lastActivity ? 0 : await CountAboveAsync(marker.UserId, marker.ConvId, marker.SeqId).ConfigureAwait(false);
                wanted[key] = new InboxMarker(marker.UserId, marker.ConvId, marker.SeqId, Math.Max(0, count - above));
            }

            if (wanted is { Count: > 0 })
            {
                _inbox.InboxesChanging(wanted.Keys.Select(static k => k.User));
                _inbox.BeginSave();
                try
                {
                    await _session.Inbox.SaveMarkersAsync([.. wanted.Values]).ConfigureAwait(false);
                }
                finally
                {
                    _inbox.EndSave(activitySaved: false);
                }
            }
        }
        catch (Exception ex)
        {
            Log.ReadMarkerWriteFailed(_logger, ex, accepted?.Count ?? 0);
            WriteFailed(ex);
            var error = new BlockStoreException("Saving the read marker failed.", ex);
            foreach (WriteOp op in ops)
            {
                if (op is ReadMarkerOp marker)
                {
                    marker.Fail(error);
                }
            }

            return;
        }

        foreach (ReadMarkerOp op in accepted ?? [])
        {
            op.Complete(true);
        }
    }

    /// <summary>Counts the conversation's messages in the user's timeline above <paramref name="seqId"/> as reads show them; the user's own, deleted and expired messages and edit and delete events do not count.</summary>
    private async Task<long> CountAboveAsync(string userId, string convId, long seqId, CancellationToken cancellationToken = default)
    {
        long count = 0;
        long after = seqId;
        while (true)
        {
            IReadOnlyList<Message> page = await GetUserMessagesAsync(userId, after, CountPageSize, cancellationToken).ConfigureAwait(false);
            foreach (Message message in page)
            {
                if (message is { Kind: MessageKind.Message, IsDeleted: false } && string.Equals(message.ConvId, convId, StringComparison.Ordinal) && !InboxChanges.IsOwn(message.SenderId, userId))
                {
                    count++;
                }
            }

            if (page.Count < CountPageSize)
            {
                return count;
            }

            after = page[^1].SeqId;
        }
    }
}
