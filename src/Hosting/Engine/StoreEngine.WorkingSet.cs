using System.Collections.Concurrent;
using BlockStore.Providers;

namespace BlockStore.Engine;

/// <summary>
/// The timeline working set: a byte-budgeted cache of timelines over the provider's index. Timelines enter when used (a read
/// or a write of a timeline not in memory looks it up in the index) and leave, coldest first (CLOCK second chance), when the
/// set passes <see cref="BlockStoreOptions.TimelineCacheBytes"/>; a timeline holding unsealed entries stays until they are sealed.
/// </summary>
/// <remarks>
/// Only the writer changes a timeline's sealed state, and only while the timeline is in the set, so the index's answer for a
/// timeline that is not in the set is current. A reader that loaded one admits it only if no eviction happened since it looked
/// (an eviction could have dropped a newer copy); otherwise it reads from its own snapshot of the index, which stays consistent.
/// Only the writer evicts, at the end of its turns.
/// </remarks>
internal sealed partial class StoreEngine
{

    private readonly ConcurrentQueue<TimelineBase> _clock = new();

    /// <summary>The writer's scratch lists for <see cref="LoadForWriteAsync(IEnumerable{PendingMessage})"/>: the timelines of a turn not in memory, each once.</summary>
    private readonly List<TimelineKey> _missing = [];
    private readonly HashSet<TimelineKey> _missingKeys = [];
    private readonly Lock _admitLock = new();
    private long _evictions;
    private long _workingSetBytes;
    private long _convTimelines;
    private long _userTimelines;
    private int _trimRequested;

    /// <summary>Counts what can make a timeline evictable: seals (which unpin timelines) and readers' admissions.</summary>
    private long _unpinEvents;

    /// <summary>The <see cref="_unpinEvents"/> count at the last sweep that found nothing to evict; until it moves, another would find nothing either.</summary>
    private long _fruitlessAt = -1;

    /// <summary>The bytes the working set is charged now.</summary>
    public long WorkingSetBytes => Interlocked.Read(ref _workingSetBytes);

    /// <summary>How many timelines are in the working set now.</summary>
    public int WorkingSetCount => _convs.Count + _users.Count;

    /// <summary>How many timelines have been evicted since open.</summary>
    public long Evictions => Interlocked.Read(ref _evictions);

    /// <summary>Reader side: the timeline from the working set, or looked up in the index; null when the index does not know it.</summary>
    private ValueTask<Timeline<T>?> FindAsync<T>(ConcurrentDictionary<string, Timeline<T>> map, string id, CancellationToken cancellationToken)
        where T : struct, ITimelineEntry<T>
    {
        long evictions = Volatile.Read(ref _evictions);
        if (map.TryGetValue(id, out Timeline<T>? timeline))
        {
            timeline.Touch();
            return ValueTask.FromResult<Timeline<T>?>(timeline);
        }

        return LoadForReadAsync(map, id, evictions, cancellationToken);
    }

    private async ValueTask<Timeline<T>?> LoadForReadAsync<T>(ConcurrentDictionary<string, Timeline<T>> map, string id, long evictions, CancellationToken cancellationToken)
        where T : struct, ITimelineEntry<T>
    {
        TimelineMetadata? metadata = await _session.Timelines.GetTimelineAsync(new TimelineKey(T.Kind, id), SealedTail.MaxBlocks, cancellationToken).ConfigureAwait(false);
        if (metadata is null)
        {
            return null;
        }

        var loaded = new Timeline<T>(id, Utf8Length(id), metadata);
        Timeline<T> winner;
        bool admitted = false;
        lock (_admitLock)
        {
            if (Volatile.Read(ref _evictions) == evictions)
            {
                winner = map.GetOrAdd(id, loaded);
                admitted = ReferenceEquals(winner, loaded);
            }
            else
            {
                winner = map.TryGetValue(id, out Timeline<T>? present) ? present : loaded;
            }
        }

        if (admitted)
        {
            Interlocked.Increment(ref _unpinEvents);
            Admitted(loaded);
        }
        else
        {
            // Not in the working set (another copy is, or this one is read from the index snapshot alone): never charged.
            loaded.Discharge();
        }

        return winner;
    }

    /// <summary>Writer side: the timeline from the working set, or looked up in the index and admitted; null when the index does not know it.</summary>
    private async ValueTask<Timeline<T>?> FindForWriteAsync<T>(ConcurrentDictionary<string, Timeline<T>> map, string id)
        where T : struct, ITimelineEntry<T>
    {
        if (map.TryGetValue(id, out Timeline<T>? timeline))
        {
            timeline.Touch();
            return timeline;
        }

        TimelineMetadata? metadata = await _session.Timelines.GetTimelineAsync(new TimelineKey(T.Kind, id), SealedTail.MaxBlocks).ConfigureAwait(false);
        if (metadata is null)
        {
            return null;
        }

        return Admit(map, id, metadata);
    }

    /// <summary>Writer side: admits a timeline the index knows, unless the working set has it already; returns the one in the set.</summary>
    private Timeline<T> Admit<T>(ConcurrentDictionary<string, Timeline<T>> map, string id, TimelineMetadata metadata)
        where T : struct, ITimelineEntry<T>
    {
        var loaded = new Timeline<T>(id, Utf8Length(id), metadata);
        Timeline<T> winner = map.GetOrAdd(id, loaded);
        if (ReferenceEquals(winner, loaded))
        {
            Admitted(loaded);
        }

        return winner;
    }

    /// <summary>
    /// Writer side: makes sure every timeline <paramref name="messages"/> touch is in the working set, or known to be new, with
    /// one index lookup for all of those not in memory (a server provider answers it in one round trip).
    /// </summary>
    private ValueTask LoadForWriteAsync(IEnumerable<PendingMessage> messages)
    {
        _missing.Clear();
        _missingKeys.Clear();
        foreach (PendingMessage message in messages)
        {
            WantForWrite(message);
        }

        return _missing.Count == 0 ? ValueTask.CompletedTask : LoadMissingAsync();
    }

    /// <summary><see cref="LoadForWriteAsync(IEnumerable{PendingMessage})"/> for a turn's appends, walked without an enumerator.</summary>
    private ValueTask LoadForWriteAsync(List<AppendOp> appends)
    {
        _missing.Clear();
        _missingKeys.Clear();
        foreach (AppendOp append in appends)
        {
            foreach (PendingMessage message in append.Messages)
            {
                WantForWrite(message);
            }
        }

        return _missing.Count == 0 ? ValueTask.CompletedTask : LoadMissingAsync();
    }

    private void WantForWrite(PendingMessage message)
    {
        WantForWrite(_convs, message.ConvId);
        foreach (string userId in message.UserIds)
        {
            WantForWrite(_users, userId);
        }
    }

    /// <summary>Looks up the timelines <see cref="WantForWrite{T}"/> noted as missing, with one index call, and admits those found.</summary>
    private async ValueTask LoadMissingAsync()
    {
        IReadOnlyList<TimelineMetadata?> found = await _session.Timelines.GetTimelinesAsync(_missing, SealedTail.MaxBlocks).ConfigureAwait(false);
        for (int i = 0; i < _missing.Count; i++)
        {
            if (found[i] is not { } metadata)
            {
                continue;
            }

            if (_missing[i].Kind == TimelineKind.Conversation)
            {
                Admit(_convs, _missing[i].Id, metadata);
            }
            else
            {
                Admit(_users, _missing[i].Id, metadata);
            }
        }
    }

    /// <summary>Writer side: marks a timeline in the working set as used, or notes it for <see cref="LoadForWriteAsync(IEnumerable{PendingMessage})"/>'s lookup.</summary>
    private void WantForWrite<T>(ConcurrentDictionary<string, Timeline<T>> map, string id)
        where T : struct, ITimelineEntry<T>
    {
        if (map.TryGetValue(id, out Timeline<T>? timeline))
        {
            timeline.Touch();
        }
        else if (_missingKeys.Add(new TimelineKey(T.Kind, id)))
        {
            _missing.Add(new TimelineKey(T.Kind, id));
        }
    }

    /// <summary>
    /// Writer side: the timeline, which <see cref="FindForWriteAsync"/> found in this turn or found new; a new one is created, and
    /// counted unless it is created for staging (<paramref name="staged"/> notes it, to be counted when published).
    /// </summary>
    private Timeline<T> GetOrCreate<T>(ConcurrentDictionary<string, Timeline<T>> map, string id, List<TimelineBase>? staged = null)
        where T : struct, ITimelineEntry<T>
    {
        if (map.TryGetValue(id, out Timeline<T>? timeline))
        {
            return timeline;
        }

        var created = new Timeline<T>(id, Utf8Length(id), null);
        Timeline<T> winner = map.GetOrAdd(id, created);
        if (ReferenceEquals(winner, created))
        {
            if (staged is null)
            {
                Counted(created);
            }
            else
            {
                staged.Add(created);
            }

            Admitted(created);
        }

        return winner;
    }

    /// <summary>Counts a timeline the writer created.</summary>
    private void Counted(TimelineBase created) =>
        Interlocked.Increment(ref created.Kind == TimelineKind.Conversation ? ref _convTimelines : ref _userTimelines);

    private Timeline<ConvEntry> GetOrAddConv(string id) => GetOrCreate(_convs, id);

    private Timeline<UserEntry> GetOrAddUser(string id) => GetOrCreate(_users, id);

    /// <summary>Writer side: takes a timeline out of the working set and stops charging it, unless another copy is there; returns whether it was.</summary>
    private bool Remove(TimelineBase timeline)
    {
        bool removed = timeline is Timeline<ConvEntry> conv
            ? _convs.TryRemove(KeyValuePair.Create(conv.Id, conv))
            : _users.TryRemove(KeyValuePair.Create(timeline.Id, (Timeline<UserEntry>)timeline));
        if (removed)
        {
            long discharged = timeline.Discharge();
            Interlocked.Add(ref _workingSetBytes, -discharged);
            _budgets.ChargeWorkingSet(-discharged);
        }

        return removed;
    }

    private void Admitted(TimelineBase timeline)
    {
        _clock.Enqueue(timeline);
        Recharge(timeline);
    }

    /// <summary>Charges a timeline admitted or whose sealed tail changed for its size now; asks the writer to evict when over budget.</summary>
    private void Recharge(TimelineBase timeline)
    {
        long change = timeline.Recharge();
        Interlocked.Add(ref _workingSetBytes, change);
        _budgets.ChargeWorkingSet(change);
    }

    /// <summary>Asks the writer to evict at the end of its turn, unless that is already asked.</summary>
    public void RequestTrim()
    {
        if (Interlocked.Exchange(ref _trimRequested, 1) == 0)
        {
            _queue.Writer.TryWrite(TrimWorkingSetOp.Instance);
        }
    }

    /// <summary>
    /// Reader side: brings every older sealed block of <paramref name="timeline"/> into its tail with one index lookup, when
    /// they are few enough for the budget (at most an eighth of it), so further reads of its history need no lookup.
    /// Returns the state to read: extended, or <paramref name="state"/> unchanged when it was not worth it or the writer moved on.
    /// </summary>
    private async ValueTask<TimelineState<T>> ExtendAsync<T>(Timeline<T> timeline, TimelineState<T> state, CancellationToken cancellationToken)
        where T : struct, ITimelineEntry<T>
    {
        SealedTail tail = state.Sealed;
        int older = tail.Count - tail.Blocks.Length;
        if (tail.Complete || (long)older * 56 > _options.TimelineCacheBytes / 8)
        {
            return state;
        }

        IReadOnlyList<BlockInfo> found = await _session.Timelines.GetBlocksBeforeAsync(timeline.Key, tail.OlderBound, older, cancellationToken).ConfigureAwait(false);
        if (found.Count != older)
        {
            return state;
        }

        var blocks = new SealedBlock[older];
        for (int i = 0; i < blocks.Length; i++)
        {
            blocks[i] = SealedBlock.From(found[older - 1 - i]);
        }

        TimelineState<T> extended = timeline.TryExtend(state, blocks);
        if (!ReferenceEquals(extended, state))
        {
            Recharge(timeline);
        }

        return extended;
    }

    /// <summary>
    /// Writer side: evicts cold timelines until the working set fits its budget. One sweep takes at most two turns of the
    /// clock (the first clears the used marks, the second evicts what was not used again), and a sweep that found nothing
    /// to evict (every timeline pinned by unsealed entries) is not repeated until a seal or a reader's admission.
    /// </summary>
    private void TrimWorkingSet()
    {
        Volatile.Write(ref _trimRequested, 0);
        long budget = _budgets.WorkingSetLimit;
        long events = Volatile.Read(ref _unpinEvents);
        if (_budgets.WorkingSetBytes <= budget || events == _fruitlessAt)
        {
            return;
        }

        bool evicted = false;
        int limit = (2 * _clock.Count) + 1;
        for (int step = 0; step < limit && _budgets.WorkingSetBytes > budget && _clock.TryDequeue(out TimelineBase? timeline); step++)
        {
            if (timeline.ClearReferenced() || timeline.HasUnsealed)
            {
                _clock.Enqueue(timeline);
                continue;
            }

            lock (_admitLock)
            {
                Interlocked.Increment(ref _evictions);
                evicted |= Remove(timeline);
            }
        }

        _fruitlessAt = evicted ? -1 : events;
    }
}
