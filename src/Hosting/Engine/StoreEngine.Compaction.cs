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
            await StepAsync(() => ReleaseAsync(run)).ConfigureAwait(false);
            await MoveOutOfStoresToEmptyAsync(run, bytesPerSecond, cancellationToken).ConfigureAwait(false);
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

    /// <summary>Runs one step of the compaction on the writer, between turns of writes; a storage failure is reported as the compaction's.</summary>
    private async Task StepAsync(Func<Task> step)
    {
        try
        {
            await RunOnWriterAsync(_ => step()).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (BlockStoreException or NotSupportedException or ObjectDisposedException or OperationCanceledException))
        {
            throw new BlockStoreException("Compaction failed; what it had not switched yet is unchanged.", ex);
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

        await CommitRewritesAsync(run).ConfigureAwait(false);
        await SettleExpiredInboxAsync(run.ExpiredUnread).ConfigureAwait(false);
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
                NoteExpired(userId, entries, view, run.ExpiredUnread);
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
    /// Queues a timeline's rewrite (its new blocks encoded now), or its removal when nothing is left of it; the slice commits the
    /// queued rewrites together (<see cref="CommitRewritesAsync"/>).
    /// </summary>
    private async Task SwitchAsync<T>(ConcurrentDictionary<string, Timeline<T>> map, TimelineKey key, List<BlockInfo> removed, List<T[]> added, bool gone, CompactionRun run)
        where T : struct, ITimelineEntry<T>
    {
        if (removed.Count == 0 && !gone)
        {
            return;
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
        }

        var rewrite = new Rewrite(key, removed, gone, () => RefreshAsync(map, key, gone));
        foreach (T[] entries in added)
        {
            byte[] encoded = T.Encode(key.Id, entries, _encoding);
            run.BytesWritten += encoded.Length;
            rewrite.Added.Add((encoded, new SealedBlock(entries[0].SeqId, entries[^1].SeqId, entries[0].Timestamp, entries[^1].Timestamp, entries.Length, 0, 0, 0)));
        }

        run.Rewrites.Add(rewrite);
    }

    /// <summary>
    /// Commits the slice's rewrites: every new block written in one call, then the index switched to them in one batch (a
    /// timeline with nothing left is unregistered instead), then the working set's copies brought up to date. The replaced
    /// blocks are freed only at the end of the compaction, once no reader can hold them.
    /// </summary>
    private async Task CommitRewritesAsync(CompactionRun run)
    {
        if (run.Rewrites.Count == 0)
        {
            return;
        }

        var encoded = new List<ReadOnlyMemory<byte>>();
        foreach (Rewrite rewrite in run.Rewrites)
        {
            encoded.AddRange(rewrite.Added.Select(static a => (ReadOnlyMemory<byte>)a.Bytes));
        }

        IReadOnlyList<StoreIndex> locations = encoded.Count == 0 ? [] : await _session.Blocks.WriteBlocksAsync(encoded).ConfigureAwait(false);
        var replacements = new List<BlockReplacement>(run.Rewrites.Count);
        int next = 0;
        foreach (Rewrite rewrite in run.Rewrites)
        {
            foreach ((_, SealedBlock range) in rewrite.Added)
            {
                StoreIndex at = locations[next++];
                rewrite.Infos.Add(new BlockInfo(rewrite.Key.Kind, rewrite.Key.Id, range.FirstSeqId, range.LastSeqId, range.FirstTimestamp, range.LastTimestamp, range.Count, at));
            }

            if (rewrite.Gone)
            {
                await _session.Timelines.DeleteTimelineAsync(rewrite.Key).ConfigureAwait(false);
                Interlocked.Decrement(ref rewrite.Key.Kind == TimelineKind.Conversation ? ref _convTimelines : ref _userTimelines);
                run.TimelinesDeleted++;
            }
            else
            {
                replacements.Add(new BlockReplacement(rewrite.Key, rewrite.Removed, rewrite.Infos));
            }
        }

        if (replacements.Count > 0)
        {
            await _session.Timelines.ReplaceBlocksAsync(replacements).ConfigureAwait(false);
        }

        foreach (Rewrite rewrite in run.Rewrites)
        {
            Replaced(rewrite.Key, rewrite.Removed, rewrite.Infos, run);
            await rewrite.Refresh().ConfigureAwait(false);
        }

        run.Rewrites.Clear();
    }

    /// <summary>Counts a replacement in the engine's totals and the run's figures, and queues the replaced blocks to be freed.</summary>
    private void Replaced(TimelineKey key, IReadOnlyList<BlockInfo> removed, IReadOnlyList<BlockInfo> added, CompactionRun run)
    {
        long entriesBefore = 0;
        foreach (BlockInfo block in removed)
        {
            run.Garbage.Add(block.Location);
            entriesBefore += block.Count;
        }

        long entriesAfter = 0;
        foreach (BlockInfo block in added)
        {
            entriesAfter += block.Count;
        }

        if (key.Kind == TimelineKind.Conversation)
        {
            Interlocked.Add(ref _messages, entriesAfter - entriesBefore);
        }

        Interlocked.Add(ref _sealedBlocks, added.Count - removed.Count);
        run.TimelinesRewritten++;
        run.BlocksRewritten += added.Count;
        run.BlocksRemoved += Math.Max(0, removed.Count - added.Count);
    }

    /// <summary>
    /// Moves the blocks still in use out of the stores the provider wants emptied (mostly freed ones): copied as they are to the
    /// store new blocks go to, the index switched per timeline, the old copies freed with the rest, so those stores go whole.
    /// </summary>
    private async Task MoveAsync(List<BlockInfo> blocks, CompactionRun run)
    {
        var bytes = new ReadOnlyMemory<byte>[blocks.Count];
        for (int i = 0; i < blocks.Count; i++)
        {
            var copy = new byte[blocks[i].Location.Size];
            await _session.Blocks.ReadBlockAsync(blocks[i].Location, copy).ConfigureAwait(false);
            bytes[i] = copy;
            run.BytesRead += copy.Length;
            run.BytesWritten += copy.Length;
        }

        IReadOnlyList<StoreIndex> locations = await _session.Blocks.WriteBlocksAsync(bytes).ConfigureAwait(false);
        var replacements = new List<BlockReplacement>();
        foreach (IGrouping<TimelineKey, int> timeline in Enumerable.Range(0, blocks.Count).GroupBy(i => new TimelineKey(blocks[i].Kind, blocks[i].TimelineId)))
        {
            replacements.Add(new BlockReplacement(
                timeline.Key, [.. timeline.Select(i => blocks[i])], [.. timeline.Select(i => blocks[i] with { Location = locations[i] })]));
        }

        await _session.Timelines.ReplaceBlocksAsync(replacements).ConfigureAwait(false);
        foreach (BlockReplacement moved in replacements)
        {
            Replaced(moved.Key, moved.Removed, moved.Added, run);
            run.BlocksMoved += moved.Added.Count;
            await (moved.Key.Kind == TimelineKind.Conversation ? RefreshAsync(_convs, moved.Key, gone: false) : RefreshAsync(_users, moved.Key, gone: false)).ConfigureAwait(false);
        }
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

    /// <summary>Frees the blocks replaced so far (no reader can hold them any more).</summary>
    private async Task ReleaseAsync(CompactionRun run)
    {
        if (run.Garbage.Count > 0)
        {
            await _session.Blocks.ReleaseBlocksAsync(run.Garbage).ConfigureAwait(false);
            run.Garbage.Clear();
        }
    }

    /// <summary>Asks the provider which stores to empty and moves the blocks still in them, a step's worth of bytes at a time.</summary>
    private async Task MoveOutOfStoresToEmptyAsync(CompactionRun run, long bytesPerSecond, CancellationToken cancellationToken)
    {
        IReadOnlyList<long> stores = [];
        await StepAsync(async () => stores = await _session.Blocks.GetStoresToEmptyAsync().ConfigureAwait(false)).ConfigureAwait(false);
        if (stores.Count == 0)
        {
            return;
        }

        var emptied = new HashSet<long>(stores);
        var slice = new List<BlockInfo>();
        long sliceBytes = 0;
        await foreach (BlockInfo block in _session.Timelines.LoadBlocksAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!emptied.Contains(block.Location.StoreId))
            {
                continue;
            }

            slice.Add(block);
            sliceBytes += block.Location.Size;
            if (sliceBytes >= StepBytes)
            {
                await MoveSliceAsync(slice, run, bytesPerSecond, cancellationToken).ConfigureAwait(false);
                slice = [];
                sliceBytes = 0;
            }
        }

        if (slice.Count > 0)
        {
            await MoveSliceAsync(slice, run, bytesPerSecond, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task MoveSliceAsync(List<BlockInfo> slice, CompactionRun run, long bytesPerSecond, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await StepAsync(() => MoveAsync(slice, run)).ConfigureAwait(false);
        long moved = 2 * slice.Sum(static b => (long)b.Location.Size);
        if (bytesPerSecond > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds((double)moved / bytesPerSecond), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Frees the blocks moved, drops the rules now fully applied, trims the journal so it keeps no removed body, and reclaims the space.</summary>
    private async Task FinishAsync(CompactionRun run)
    {
        await ReleaseAsync(run).ConfigureAwait(false);

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
        CarriedStates carried = await CarryAsync(keepFrom).ConfigureAwait(false);
        await _session.Timelines.CommitBlocksAsync([], keepFrom).ConfigureAwait(false);
        Carried(carried);
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

    /// <summary>One timeline's rewrite waiting for its slice's commit: the blocks it drops, the new blocks (encoded) and their metadata once written.</summary>
    private sealed class Rewrite(TimelineKey key, List<BlockInfo> removed, bool gone, Func<Task> refresh)
    {
        public TimelineKey Key { get; } = key;

        public List<BlockInfo> Removed { get; } = removed;

        public bool Gone { get; } = gone;

        public Func<Task> Refresh { get; } = refresh;

        public List<(byte[] Bytes, SealedBlock Range)> Added { get; } = [];

        public List<BlockInfo> Infos { get; } = [];
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

        /// <summary>The rewrites of the current slice, committed together at its end.</summary>
        public List<Rewrite> Rewrites { get; } = [];

        /// <summary>The user and conversation pairs of the slice whose expired entries its rewrites remove; their inbox counts are settled once those commit.</summary>
        public HashSet<(string User, string Conv)> ExpiredUnread { get; } = [];

        public int BlocksMoved { get; set; }

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
            TimelinesRewritten, TimelinesDeleted, BlocksRewritten, BlocksRemoved, BlocksMoved, EntriesRemoved, BodiesErased, BytesRead, BytesWritten, StoreBytesBefore, StoreBytesAfter, duration);
    }
}
