using System.Collections.Concurrent;
using System.Diagnostics;
using BlockStore.Diagnostics;
using BlockStore.Providers;
using Microsoft.Extensions.Logging;

namespace BlockStore.Engine;

/// <summary>
/// Compaction: rewrites, message by message, the sealed blocks holding what deletes, erasures and retention removed, then frees
/// the old blocks and has the provider give the space back. It runs as a series of writer steps, so writes go on between them:
/// the first seals every open block (so every entry is in a sealed block), each next rewrites a slice of timelines (new blocks
/// written and durable before the index switches to them in one atomic replacement per timeline), and the last waits for the
/// readers that may still hold the old blocks, frees them, drops the rules fully applied, trims the journal (so it keeps no
/// removed body) and reclaims the space. A crash at any point leaves each timeline either before or after its rewrite.
/// </summary>
internal sealed partial class StoreEngine
{
    /// <summary>The block bytes one step reads before it lets the writes waiting for the writer go first.</summary>
    private const long StepBytes = 4L * 1024 * 1024;

    private readonly SemaphoreSlim _compactLock = new(1, 1);
    private readonly ReaderGate _readers = new();
    private readonly CancellationTokenSource _stopCompaction = new();
    private Task _compactor = Task.CompletedTask;

    /// <summary>Starts the background compaction loop when <see cref="CompactionOptions.Interval"/> is set.</summary>
    private void StartBackgroundCompaction()
    {
        if (_options.Compaction.Interval is { } interval)
        {
            _compactor = Task.Run(() => RunBackgroundCompactionAsync(interval, _stopCompaction.Token));
        }
    }

    private async Task StopBackgroundCompactionAsync()
    {
        await _stopCompaction.CancelAsync().ConfigureAwait(false);
        await _compactor.ConfigureAwait(false);
        _stopCompaction.Dispose();
    }

    /// <summary>Every interval, compacts at the configured pace when something waits to be compacted.</summary>
    private async Task RunBackgroundCompactionAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
                if (HasCompactionWork())
                {
                    await CompactAsync(_options.Compaction.BytesPerSecond, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.CompactionFailed(_logger, ex);
            }
        }
    }

    /// <summary>Whether a rule or a deleted message waits for a compaction (retention always does: messages keep expiring).</summary>
    private bool HasCompactionWork()
    {
        if (_rules.DefaultMaxAgeMs != 0 || _rules.Pending.Any())
        {
            return true;
        }

        foreach (ConcurrentDictionary<long, MessageChange> changes in _changes.Values)
        {
            foreach (MessageChange change in changes.Values)
            {
                if (change.Deleted && !change.Compacted)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Runs a compaction; <paramref name="bytesPerSecond"/> throttles it (0: as fast as it goes).</summary>
    public async Task<CompactionReport> CompactAsync(long bytesPerSecond, CancellationToken cancellationToken)
    {
        await _compactLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            long started = Stopwatch.GetTimestamp();
            var run = new CompactionRun();
            await StepAsync(async () =>
            {
                await SealAllAsync().ConfigureAwait(false);
                run.StoreBytesBefore = await StoreBytesAsync().ConfigureAwait(false);
                await PlanAsync(run).ConfigureAwait(false);
            }).ConfigureAwait(false);

            while (run.HasWork)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long before = run.BytesRead + run.BytesWritten;
                await StepAsync(() => RewriteSliceAsync(run)).ConfigureAwait(false);
                long moved = run.BytesRead + run.BytesWritten - before;
                if (bytesPerSecond > 0 && moved > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds((double)moved / bytesPerSecond), cancellationToken).ConfigureAwait(false);
                }
            }

            // Readers that took a timeline's state before its rewrite may still read the old blocks: free them once they are done.
            await _readers.WaitForReadersAsync().ConfigureAwait(false);
            await StepAsync(() => FinishAsync(run)).ConfigureAwait(false);
            CompactionReport report = run.Report(Stopwatch.GetElapsedTime(started));
            Log.Compacted(_logger, report.TimelinesRewritten, report.BlocksRewritten + report.BlocksRemoved, report.EntriesRemoved, report.StoreBytesBefore, report.StoreBytesAfter);
            return report;
        }
        finally
        {
            _compactLock.Release();
        }
    }

    private Task StepAsync(Func<Task> step) => Enqueue(new CompactStepOp(step));

    private static async Task RunCompactStepAsync(CompactStepOp op)
    {
        try
        {
            await op.Step().ConfigureAwait(false);
            op.Complete(true);
        }
        catch (Exception ex)
        {
            op.Fail(ex is BlockStoreException or NotSupportedException ? ex : new BlockStoreException("Compaction failed; what it had not switched yet is unchanged.", ex));
        }
    }

    private async Task<long> StoreBytesAsync()
    {
        long bytes = 0;
        foreach (StoreInfo store in await _session.Blocks.GetStoresAsync().ConfigureAwait(false))
        {
            bytes += store.UsedBytes;
        }

        return bytes;
    }

    /// <summary>Lists the timelines the rules in force and the deleted messages may have left something in, with the rules as they are now.</summary>
    private async Task PlanAsync(CompactionRun run)
    {
        run.Rules = [.. _rules.Pending];
        long shortest = _rules.ShortestMaxAgeMs();
        run.UserExpiredBefore = shortest == 0 ? long.MinValue : DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - shortest;
        run.Erasure = _rules.HasPendingErasure;
        foreach (LifecycleRule rule in run.Rules)
        {
            switch (rule.Kind)
            {
                case RuleKind.ConversationDeleted:
                case RuleKind.Retention:
                    run.Conversations.Add(rule.Id);
                    break;
                case RuleKind.UserDeleted:
                    run.Users.Add(rule.Id);
                    break;
            }
        }

        foreach ((string convId, ConcurrentDictionary<long, MessageChange> changes) in _changes)
        {
            foreach (MessageChange change in changes.Values)
            {
                if (change.Deleted && !change.Compacted)
                {
                    run.Conversations.Add(convId);
                    break;
                }
            }
        }

        if (run.Erasure || _rules.DefaultMaxAgeMs != 0)
        {
            await foreach (TimelineKey key in _session.Timelines.LoadTimelinesAsync().ConfigureAwait(false))
            {
                (key.Kind == TimelineKind.Conversation ? run.Conversations : run.Users).Add(key.Id);
            }
        }

        run.Start();
    }

    /// <summary>Rewrites timelines until a step's worth of bytes is read: conversations first (they tell which users to visit), then users.</summary>
    private async Task RewriteSliceAsync(CompactionRun run)
    {
        long stop = run.BytesRead + StepBytes;
        if (run.NeedsEveryUser)
        {
            await foreach (TimelineKey user in _session.Timelines.LoadTimelinesAsync().ConfigureAwait(false))
            {
                if (user.Kind == TimelineKind.User)
                {
                    run.Users.Add(user.Id);
                }
            }

            run.NeedsEveryUser = false;
        }

        while (run.BytesRead < stop && run.Next() is { } key)
        {
            if (key.Kind == TimelineKind.Conversation)
            {
                await RewriteConversationAsync(key.Id, run).ConfigureAwait(false);
            }
            else
            {
                await RewriteUserAsync(key.Id, run).ConfigureAwait(false);
            }
        }
    }

    private async Task RewriteConversationAsync(string convId, CompactionRun run)
    {
        var key = new TimelineKey(TimelineKind.Conversation, convId);
        ConvView view = ViewOf(convId);
        ConcurrentDictionary<long, MessageChange>? changes = view.Changes;
        long[] deletedTargets = DeletedTargets(changes);
        bool erasure = run.Erasure;
        var dropped = new HashSet<long>();
        var removed = new List<BlockInfo>();
        var added = new List<ConvEntry[]>();
        long kept = 0;
        await foreach (BlockInfo block in AllBlocksAsync(key).ConfigureAwait(false))
        {
            bool candidate = erasure || block.FirstSeqId <= view.DeletedThrough || block.FirstTimestamp < view.ExpiredBefore
                || Covers(deletedTargets, block.FirstSeqId, block.LastSeqId);
            if (!candidate)
            {
                kept += block.Count;
                continue;
            }

            ConvEntry[] entries = await LoadAsync<ConvEntry>(convId, SealedBlock.From(block)).ConfigureAwait(false);
            run.BytesRead += block.Location.Size;
            var next = new List<ConvEntry>(entries.Length);
            bool changed = false;
            foreach (ConvEntry entry in entries)
            {
                if (view.Hidden(entry))
                {
                    changed = true;
                    run.EntriesRemoved++;
                    run.Forgotten(entry.Recipients);
                    dropped.Add(entry.SeqId);
                    changes?.TryRemove(entry.SeqId, out _);
                    continue;
                }

                if (Strip(entry, view, dropped) is { } stripped)
                {
                    changed = true;
                    run.BodiesErased++;
                    next.Add(stripped);
                    continue;
                }

                next.Add(entry);
            }

            MarkCompacted(changes, entries);
            if (changed)
            {
                removed.Add(block);
                if (next.Count > 0)
                {
                    added.Add([.. next]);
                }
            }

            kept += next.Count;
        }

        bool gone = kept == 0 && view.DeletedThrough > 0 && NothingNewer(_convs, convId, view.DeletedThrough);
        await SwitchAsync(_convs, key, removed, added, gone, run).ConfigureAwait(false);
    }

    private async Task RewriteUserAsync(string userId, CompactionRun run)
    {
        var key = new TimelineKey(TimelineKind.User, userId);
        var view = new UserView(_rules, userId);
        long conversationsDeletedThrough = run.ConversationsDeletedThrough;
        long expiredBefore = run.UserExpiredBefore;
        var removed = new List<BlockInfo>();
        var added = new List<UserEntry[]>();
        long kept = 0;
        await foreach (BlockInfo block in AllBlocksAsync(key).ConfigureAwait(false))
        {
            if (block.FirstSeqId > view.DeletedThrough && block.FirstSeqId > conversationsDeletedThrough && block.FirstTimestamp >= expiredBefore)
            {
                kept += block.Count;
                continue;
            }

            UserEntry[] entries = await LoadAsync<UserEntry>(userId, SealedBlock.From(block)).ConfigureAwait(false);
            run.BytesRead += block.Location.Size;
            UserEntry[] next = Array.FindAll(entries, entry => !view.Hidden(entry));
            if (next.Length != entries.Length)
            {
                run.EntriesRemoved += entries.Length - next.Length;
                removed.Add(block);
                if (next.Length > 0)
                {
                    added.Add(next);
                }
            }

            kept += next.Length;
        }

        bool gone = kept == 0 && view.DeletedThrough > 0 && NothingNewer(_users, userId, view.DeletedThrough);
        await SwitchAsync(_users, key, removed, added, gone, run).ConfigureAwait(false);
        if (view.DeletedThrough > 0 && await _session.Checkpoints.GetAsync(userId).ConfigureAwait(false) is > 0 and var checkpoint && checkpoint <= view.DeletedThrough)
        {
            await _session.Checkpoints.DeleteAsync(userId).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes the rewritten blocks, then switches the index to them in one atomic step (or drops the timeline when nothing is
    /// left of it), and brings the working set's copy of the timeline up to date; the old blocks are freed at the end.
    /// </summary>
    private async Task SwitchAsync<T>(ConcurrentDictionary<string, Timeline<T>> map, TimelineKey key, List<BlockInfo> removed, List<T[]> added, bool gone, CompactionRun run)
        where T : struct, ITimelineEntry<T>
    {
        if (removed.Count == 0 && !gone)
        {
            return;
        }

        var encoded = new ReadOnlyMemory<byte>[added.Count];
        for (int i = 0; i < encoded.Length; i++)
        {
            encoded[i] = T.Encode(key.Id, added[i], _encoding);
            run.BytesWritten += encoded[i].Length;
        }

        IReadOnlyList<StoreIndex> locations = encoded.Length == 0 ? [] : await _session.Blocks.WriteBlocksAsync(encoded).ConfigureAwait(false);
        var infos = new BlockInfo[added.Count];
        for (int i = 0; i < infos.Length; i++)
        {
            T[] entries = added[i];
            infos[i] = new BlockInfo(key.Kind, key.Id, entries[0].SeqId, entries[^1].SeqId, entries[0].Timestamp, entries[^1].Timestamp, entries.Length, locations[i]);
        }

        if (gone)
        {
            await foreach (BlockInfo block in AllBlocksAsync(key).ConfigureAwait(false))
            {
                if (!removed.Contains(block))
                {
                    removed.Add(block);
                }
            }

            await _session.Timelines.DeleteTimelineAsync(key).ConfigureAwait(false);
            Interlocked.Decrement(ref key.Kind == TimelineKind.Conversation ? ref _convTimelines : ref _userTimelines);
            run.TimelinesDeleted++;
        }
        else
        {
            await _session.Timelines.ReplaceBlocksAsync(key, removed, infos).ConfigureAwait(false);
        }

        long entriesBefore = 0;
        foreach (BlockInfo block in removed)
        {
            run.Garbage.Add(block.Location);
            entriesBefore += block.Count;
        }

        long entriesAfter = 0;
        foreach (BlockInfo block in infos)
        {
            entriesAfter += block.Count;
        }

        if (key.Kind == TimelineKind.Conversation)
        {
            Interlocked.Add(ref _messages, entriesAfter - entriesBefore);
        }

        Interlocked.Add(ref _sealedBlocks, infos.Length - removed.Count);
        run.TimelinesRewritten++;
        run.BlocksRewritten += infos.Length;
        run.BlocksRemoved += removed.Count - infos.Length;
        await RefreshAsync(map, key, gone).ConfigureAwait(false);
    }

    /// <summary>
    /// After a timeline's blocks were replaced: readers loading it from the index now must not admit what they read before
    /// (counted as an eviction), and the working set's copy is dropped, or, while it holds unsealed entries, given the new sealed part.
    /// </summary>
    private async Task RefreshAsync<T>(ConcurrentDictionary<string, Timeline<T>> map, TimelineKey key, bool gone)
        where T : struct, ITimelineEntry<T>
    {
        Timeline<T>? timeline;
        bool removed = false;
        lock (_admitLock)
        {
            Interlocked.Increment(ref _evictions);
            if (map.TryGetValue(key.Id, out timeline) && (gone || !timeline.HasUnsealed))
            {
                removed = map.TryRemove(KeyValuePair.Create(key.Id, timeline));
            }
        }

        if (timeline is null)
        {
            return;
        }

        if (removed)
        {
            long discharged = timeline.Discharge();
            Interlocked.Add(ref _workingSetBytes, -discharged);
            _budgets.ChargeWorkingSet(-discharged);
            return;
        }

        if (await _session.Timelines.GetTimelineAsync(key, SealedTail.MaxBlocks).ConfigureAwait(false) is { } metadata)
        {
            timeline.Resealed(metadata);
            Recharge(timeline);
        }
    }

    /// <summary>Frees the replaced blocks, drops the rules now fully applied, trims the journal so it keeps no removed body, and reclaims the space.</summary>
    private async Task FinishAsync(CompactionRun run)
    {
        if (run.Garbage.Count > 0)
        {
            await _session.Blocks.ReleaseBlocksAsync(run.Garbage).ConfigureAwait(false);
        }

        // Deletes are done with once their entries are gone; an erasure stays in force (its tombstones need it) but is applied.
        foreach (LifecycleRule rule in run.Rules)
        {
            if (rule.Kind != RuleKind.Retention)
            {
                rule.Applied = true;
            }

            if (rule.Kind is RuleKind.ConversationDeleted or RuleKind.UserDeleted)
            {
                _rules.Remove(rule);
            }
        }

        await SealAllAsync().ConfigureAwait(false);
        await TrimJournalAsync().ConfigureAwait(false);
        await _session.ReclaimAsync().ConfigureAwait(false);
        run.StoreBytesAfter = await StoreBytesAsync().ConfigureAwait(false);
        await RefreshStoreSizesAsync().ConfigureAwait(false);
    }

    /// <summary>With nothing unsealed, drops every journal record, carrying what must outlive them into new ones.</summary>
    private async Task TrimJournalAsync()
    {
        if (_unsealed.Count > 0)
        {
            return;
        }

        long keepFrom = _lastJournalId + 1;
        (List<IdempotencyEntry>, long, long)? keys = await CarryKeysAsync(keepFrom).ConfigureAwait(false);
        (List<MessageChange>, long, long)? changes = await CarryChangesAsync(keepFrom).ConfigureAwait(false);
        (List<LifecycleRule>, long, long)? rules = await CarryRulesAsync(keepFrom).ConfigureAwait(false);
        await _session.Timelines.CommitBlocksAsync([], keepFrom).ConfigureAwait(false);
        KeysCarried(keys);
        ChangesCarried(changes);
        RulesCarried(rules);
        JournalTrimmed(keepFrom);
    }

    /// <summary>Every sealed block of a timeline, oldest first, paged from the index.</summary>
    private async IAsyncEnumerable<BlockInfo> AllBlocksAsync(TimelineKey key)
    {
        const int Page = 256;
        long after = 0;
        while (true)
        {
            IReadOnlyList<BlockInfo> page = await _session.Timelines.GetBlocksAfterAsync(key, after, long.MaxValue, Page).ConfigureAwait(false);
            foreach (BlockInfo block in page)
            {
                yield return block;
                after = block.LastSeqId;
            }

            if (page.Count < Page)
            {
                yield break;
            }
        }
    }

    /// <summary>Reads and verifies a sealed block of the timeline <paramref name="id"/>, through the cache.</summary>
    private ValueTask<T[]> LoadAsync<T>(string id, SealedBlock block)
        where T : struct, ITimelineEntry<T> =>
        LoadAsync(new Timeline<T>(id, Utf8Length(id), null), block, CancellationToken.None);

    /// <summary>True when the working set's copy of the timeline, if any, holds nothing after <paramref name="through"/> (sealed or not).</summary>
    private static bool NothingNewer<T>(ConcurrentDictionary<string, Timeline<T>> map, string id, long through)
        where T : struct, ITimelineEntry<T> =>
        !map.TryGetValue(id, out Timeline<T>? timeline) || (timeline.LastSeqId <= through && !timeline.HasUnsealed);

    /// <summary>
    /// The entry without the body it must no longer hold (a deleted or erased message, an edit of one or of a message this
    /// compaction removed), or null when it keeps it.
    /// </summary>
    private static ConvEntry? Strip(in ConvEntry entry, in ConvView view, HashSet<long> dropped)
    {
        Message message = entry.Message;
        if (message.Data.IsEmpty)
        {
            return null;
        }

        bool forget = view.Erased(message) || message.Kind switch
        {
            MessageKind.Message => view.Changes?.GetValueOrDefault(message.SeqId) is { Deleted: true },
            MessageKind.Edit => dropped.Contains(message.TargetSeqId) || view.Changes?.GetValueOrDefault(message.TargetSeqId) is { Deleted: true },
            _ => false,
        };
        return forget ? new ConvEntry(message with { Data = ReadOnlyMemory<byte>.Empty }, entry.Timestamp, entry.Recipients, entry.RecipientBytes) : null;
    }

    /// <summary>The SeqIds of the conversation's deleted messages whose blocks a compaction has not checked yet, sorted.</summary>
    private static long[] DeletedTargets(ConcurrentDictionary<long, MessageChange>? changes)
    {
        if (changes is null)
        {
            return [];
        }

        var targets = new List<long>();
        foreach (MessageChange change in changes.Values)
        {
            if (change.Deleted && !change.Compacted)
            {
                targets.Add(change.TargetSeqId);
            }
        }

        targets.Sort();
        return [.. targets];
    }

    private static bool Covers(long[] sorted, long first, long last)
    {
        int index = Array.BinarySearch(sorted, first);
        if (index < 0)
        {
            index = ~index;
        }

        return index < sorted.Length && sorted[index] <= last;
    }

    /// <summary>Marks the deletes whose targets <paramref name="entries"/> held as compacted: their block keeps no body now.</summary>
    private static void MarkCompacted(ConcurrentDictionary<long, MessageChange>? changes, ConvEntry[] entries)
    {
        if (changes is null)
        {
            return;
        }

        foreach (ConvEntry entry in entries)
        {
            if (changes.GetValueOrDefault(entry.SeqId) is { Deleted: true } change)
            {
                change.Compacted = true;
            }
        }
    }

    /// <summary>A compaction in progress: the timelines still to visit, the blocks to free at the end, and its figures.</summary>
    private sealed class CompactionRun
    {
        private readonly Queue<TimelineKey> _queue = new();
        private readonly HashSet<string> _queuedUsers = new(StringComparer.Ordinal);
        private bool _usersStarted;

        public HashSet<string> Conversations { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Users { get; } = new(StringComparer.Ordinal);

        public List<LifecycleRule> Rules { get; set; } = [];

        public List<StoreIndex> Garbage { get; } = [];

        public bool HasWork => _queue.Count > 0 || (!_usersStarted && (Users.Count > 0 || NeedsEveryUser));

        /// <summary>Set when a removed conversation entry did not say whom it reached: every user timeline is visited.</summary>
        public bool NeedsEveryUser { get; set; }

        /// <summary>Whether a sender erasure waits to be applied: every conversation block is then looked at.</summary>
        public bool Erasure { get; set; }

        /// <summary>User blocks starting at or below this SeqId may refer to deleted conversation history.</summary>
        public long ConversationsDeletedThrough { get; private set; }

        /// <summary>User blocks starting before this (Unix milliseconds) may hold expired entries.</summary>
        public long UserExpiredBefore { get; set; } = long.MinValue;

        public long StoreBytesBefore { get; set; }

        public long StoreBytesAfter { get; set; }

        public long BytesRead { get; set; }

        public long BytesWritten { get; set; }

        public long EntriesRemoved { get; set; }

        public long BodiesErased { get; set; }

        public int TimelinesRewritten { get; set; }

        public int TimelinesDeleted { get; set; }

        public int BlocksRewritten { get; set; }

        public int BlocksRemoved { get; set; }

        /// <summary>Queues the conversations; users follow once every conversation is done.</summary>
        public void Start()
        {
            foreach (LifecycleRule rule in Rules)
            {
                if (rule.Kind == RuleKind.ConversationDeleted)
                {
                    ConversationsDeletedThrough = Math.Max(ConversationsDeletedThrough, rule.Value);
                }
            }

            foreach (string convId in Conversations)
            {
                _queue.Enqueue(new TimelineKey(TimelineKind.Conversation, convId));
            }
        }

        /// <summary>Notes the users whose timelines referred to a removed conversation entry; unknown recipients mean every user.</summary>
        public void Forgotten(string[]? recipients)
        {
            if (recipients is null)
            {
                NeedsEveryUser = true;
                return;
            }

            foreach (string user in recipients)
            {
                Users.Add(user);
            }
        }

        public TimelineKey? Next()
        {
            if (_queue.Count == 0 && !_usersStarted)
            {
                _usersStarted = true;
                foreach (string user in Users)
                {
                    if (_queuedUsers.Add(user))
                    {
                        _queue.Enqueue(new TimelineKey(TimelineKind.User, user));
                    }
                }
            }

            return _queue.TryDequeue(out TimelineKey key) ? key : null;
        }

        public CompactionReport Report(TimeSpan duration) => new(
            TimelinesRewritten, TimelinesDeleted, BlocksRewritten, BlocksRemoved, EntriesRemoved, BodiesErased, BytesRead, BytesWritten, StoreBytesBefore, StoreBytesAfter, duration);
    }
}
