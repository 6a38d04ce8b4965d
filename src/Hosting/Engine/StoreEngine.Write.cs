using System.Diagnostics;
using BlockStore.Diagnostics;
using Microsoft.Extensions.Logging;

namespace BlockStore.Engine;

/// <summary>The writer loop: one group commit per turn (one journal record), then publication, acknowledgement and sealing.</summary>
internal sealed partial class StoreEngine
{
    private readonly List<WriteOp> _ops = [];
    private readonly List<PendingMessage> _batch = [];
    private readonly List<AppendOp> _appends = [];
    private readonly StagedTurn _turn = new();
    private long _nextSeqId = 1;

    /// <summary>The id of the newest journal record written (or recovered); SeqIds above it may be burnt by failed writes.</summary>
    private long _lastJournalId;
    private long _lastTimestamp;

    private async Task RunWriterAsync()
    {
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            _ops.Clear();
            try
            {
                // Let the callers acknowledged by the previous turn queue their next writes first, so they share this commit.
                await Task.Yield();
                while (_ops.Count < _options.MaxGroupCommit && _queue.Reader.TryRead(out WriteOp? op))
                {
                    _ops.Add(op);
                }

                await ProcessAsync(_ops).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // The loop must outlive any failure: fail this turn's callers and go on with the next turn.
                var error = new BlockStoreException("The message store's writer failed.", ex);
                foreach (WriteOp op in _ops)
                {
                    op.Fail(error);
                }
            }
        }
    }

    private async Task ProcessAsync(List<WriteOp> ops)
    {
        bool sealFrozen = false;
        bool flushing = false;
        foreach (WriteOp op in ops)
        {
            sealFrozen |= op is FlushOp or MaintenanceOp;
            flushing |= op is FlushOp;
        }

        if (UpdateWritesRefused())
        {
            // Try to seal before refusing this turn's appends: writes resume as soon as a seal succeeds.
            await SealDueAsync(sealFrozen, flushing).ConfigureAwait(false);
        }

        await CreateTimelinesAsync(ops).ConfigureAwait(false);
        await AppendAsync(ops).ConfigureAwait(false);
        await ApplyRulesAsync(ops).ConfigureAwait(false);
        await SaveCheckpointsAsync(ops).ConfigureAwait(false);
        await MaintainInboxAsync(ops).ConfigureAwait(false);
        foreach (WriteOp op in ops)
        {
            if (op is VerifyJournalOp verify)
            {
                await VerifyJournalAsync(verify).ConfigureAwait(false);
            }
            else if (op is BackupOp backup)
            {
                await BackupAsync(backup).ConfigureAwait(false);
            }
            else if (op is WriterCallOp call)
            {
                await RunWriterCallAsync(call).ConfigureAwait(false);
            }
        }

        await SealDueAsync(sealFrozen, flushing).ConfigureAwait(false);
        UpdateWritesRefused();

        // Trim before completing flushes: once a flush returns, the working set fits its budget (unsealed entries aside).
        TrimWorkingSet();
        foreach (WriteOp op in ops)
        {
            if (op is FlushOp flush)
            {
                flush.Complete(true);
            }
        }
    }

    /// <summary>Runs a call on the writer between this turn's writes and its seals.</summary>
    internal Task RunOnWriterAsync(Func<StoreEngine, Task> call) => Enqueue(new WriterCallOp(call));

    private async Task RunWriterCallAsync(WriterCallOp op)
    {
        try
        {
            await op.Call(this).ConfigureAwait(false);
            op.Complete(true);
        }
        catch (Exception ex)
        {
            op.Fail(ex);
        }
    }

    private async Task CreateTimelinesAsync(List<WriteOp> ops)
    {
        List<CreateTimelineOp>? creates = null;
        HashSet<Providers.TimelineKey>? keys = null;
        foreach (WriteOp op in ops)
        {
            if (op is CreateTimelineOp create)
            {
                (creates ??= []).Add(create);
                TimelineBase? known = create.Kind == TimelineKind.Conversation
                    ? await FindForWriteAsync(_convs, create.Id).ConfigureAwait(false)
                    : await FindForWriteAsync(_users, create.Id).ConfigureAwait(false);
                if (known is null)
                {
                    (keys ??= []).Add(new Providers.TimelineKey(create.Kind, create.Id));
                }
            }
        }

        if (creates is null)
        {
            return;
        }

        if (keys is not null)
        {
            try
            {
                await _session.Timelines.RegisterTimelinesAsync([.. keys]).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.RegisterFailed(_logger, ex, keys.Count);
                WriteFailed(ex);
                var error = new BlockStoreException("Creating the timeline failed; nothing was stored.", ex);
                foreach (CreateTimelineOp create in creates)
                {
                    create.Fail(error);
                }

                return;
            }
        }

        foreach (CreateTimelineOp create in creates)
        {
            TimelineBase timeline = create.Kind == TimelineKind.Conversation ? GetOrAddConv(create.Id) : GetOrAddUser(create.Id);
            create.Complete(timeline.ToInfo());
        }
    }

    /// <summary>
    /// Journals the turn's appends, as one record when they fit in <see cref="MaxRecordBytes"/> and otherwise as several,
    /// split only between requests so each request is all in one record. Refuses them all while writes are stopped.
    /// </summary>
    private async Task AppendAsync(List<WriteOp> ops)
    {
        if (UpdateWritesRefused())
        {
            var refused = new BlockStoreException(WritesRefusedMessage(), _sealFailure?.Exception);
            foreach (WriteOp op in ops)
            {
                if (op is AppendOp append)
                {
                    append.Fail(refused);
                }
            }

            return;
        }

        await PrepareLifecycleAsync(ops).ConfigureAwait(false);
        int next = 0;
        while (next < ops.Count)
        {
            _appends.Clear();
            long size = JournalCodec.EmptyRecordSize;
            for (; next < ops.Count; next++)
            {
                if (ops[next] is not AppendOp { Refused: false } append)
                {
                    continue;
                }

                long appendSize = append.JournalSize;
                if (JournalCodec.EmptyRecordSize + appendSize > MaxRecordBytes)
                {
                    append.Fail(new ArgumentException(
                        $"The batch needs a journal record of {JournalCodec.EmptyRecordSize + appendSize} bytes; at most {MaxRecordBytes} can be stored.", "batch"));
                    continue;
                }

                if (_appends.Count > 0 && size + appendSize > MaxRecordBytes)
                {
                    break;
                }

                _appends.Add(append);
                size += appendSize;
            }

            if (_appends.Count > 0)
            {
                await CommitAsync(_appends).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Assigns SeqIds to <paramref name="appends"/> (except messages repeating a remembered idempotency key), journals them as one
    /// record, then publishes and acknowledges them.
    /// </summary>
    private async Task CommitAsync(List<AppendOp> appends)
    {
        try
        {
            await LoadForWriteAsync(appends).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.TimelineLookupFailed(_logger, ex);
            var error = new BlockStoreException("Looking up the timelines in the index failed; the messages were not stored.", ex);
            foreach (AppendOp append in appends)
            {
                append.Fail(error);
            }

            return;
        }

        _batch.Clear();
        _claimed.Clear();
        _turnTimes = null;
        foreach (AppendOp append in appends)
        {
            AddToBatch(append);
        }

        // A record's id is the first SeqId it holds: increasing, and above every record that survives a restart.
        long journalId = _batch.Count == 0 ? 0 : _batch[0].SeqId;
        var staging = new StagingWork(this, appends, journalId);
        Exception? failure = null;
        TimeSpan writeTime = default;
        int recordBytes = 0;
        if (_batch.Count > 0)
        {
            byte[] record = JournalCodec.Encode(_batch);
            recordBytes = record.Length;

            // The turn's entries are staged on another thread, if one is free, while this one writes and flushes the record;
            // readers see them only once it is durable.
            ThreadPool.UnsafeQueueUserWorkItem(staging, preferLocal: false);
            long writeStarted = Stopwatch.GetTimestamp();
            try
            {
                await _session.Timelines.AppendJournalAsync(journalId, record).ConfigureAwait(false);
                writeTime = Stopwatch.GetElapsedTime(writeStarted);
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        }

        if (staging.TryClaim())
        {
            staging.Run();
        }

        Message[][] stored;
        try
        {
            stored = await staging.Done.ConfigureAwait(false);
        }
        catch
        {
            DropStaged();
            throw;
        }

        if (failure is not null)
        {
            DropStaged();
            Unclaim(0);
            Log.JournalWriteFailed(_logger, failure, _batch.Count);
            WriteFailed(failure);
            var error = new BlockStoreException("Writing the journal failed; the messages were not stored.", failure);
            foreach (AppendOp append in appends)
            {
                append.Fail(error);
            }

            return;
        }

        if (_batch.Count > 0)
        {
            _lastJournalId = journalId;
            JournalCommitted(_batch.Count, recordBytes, writeTime);
            JournalAppended(journalId, recordBytes);
            KeysJournaled(journalId);
        }

        PublishStaged(journalId, recovering: false);
        for (int a = 0; a < appends.Count; a++)
        {
            AppendOp append = appends[a];
            if (append.Refused)
            {
                continue;
            }

            for (int i = 0; i < append.Messages.Length; i++)
            {
                if (stored[a][i] is { } applied)
                {
                    _watches.Publish(applied, append.Messages[i].UserIds);
                }
            }

            append.Complete(stored[a]);
        }
    }

    /// <summary>
    /// A turn's staging, offered to the thread pool while the writer writes the turn's journal record: whichever of a pool thread
    /// and the writer claims it first runs it, so the writer never waits for a busy pool, and only one thread at a time changes
    /// what the writer owns.
    /// </summary>
    private sealed class StagingWork(StoreEngine engine, List<AppendOp> appends, long journalId) : IThreadPoolWorkItem
    {
        private readonly TaskCompletionSource<Message[][]> _done = new();
        private int _claimed;

        /// <summary>The stored messages per append, once staged.</summary>
        public Task<Message[][]> Done => _done.Task;

        public bool TryClaim() => Interlocked.Exchange(ref _claimed, 1) == 0;

        public void Run()
        {
            try
            {
                _done.SetResult(engine.Stage(appends, journalId));
            }
            catch (Exception ex)
            {
                _done.SetException(ex);
            }
        }

        public void Execute()
        {
            if (TryClaim())
            {
                Run();
            }
        }
    }

    /// <summary>Stages the turn's new messages (not those that repeated a key) in their timelines, unseen by readers until published.</summary>
    private Message[][] Stage(List<AppendOp> appends, long journalId)
    {
        var stored = new Message[appends.Count][];
        for (int a = 0; a < appends.Count; a++)
        {
            AppendOp append = appends[a];
            if (append.Refused)
            {
                stored[a] = [];
                continue;
            }

            // A message that repeated a key stays null here; the caller fills it in (ResolveDuplicatesAsync).
            stored[a] = new Message[append.Messages.Length];
            for (int i = 0; i < append.Messages.Length; i++)
            {
                PendingMessage message = append.Messages[i];
                stored[a][i] = message.DuplicateOf == 0 ? Stage(message, journalId, recovering: false)! : null!;
            }
        }

        return stored;
    }

    /// <summary>
    /// Stages one journaled message in its conversation and recipients, whose timelines <see cref="LoadForWriteAsync(List{AppendOp})"/>
    /// looked up in this turn; while recovering, skips what is already sealed. <see cref="PublishStaged"/> makes it visible.
    /// </summary>
    private Message? Stage(PendingMessage m, long journalId, bool recovering)
    {
        Timeline<ConvEntry> conv = GetOrCreate(_convs, m.ConvId, _turn.Created);
        Message? stored = null;
        long now = Environment.TickCount64;
        if (!recovering || m.SeqId > conv.LastSealedSeqId)
        {
            stored = new Message(m.SeqId, conv.Id, m.SenderId, DateTimeOffset.FromUnixTimeMilliseconds(m.Timestamp), m.Data) { Kind = m.Kind, TargetSeqId = m.TargetSeqId };
            AddEntry(conv, RecipientsOf(conv, stored, m), journalId, now);
        }

        _turn.Applied.Add((m, conv.Id));
        foreach (string userId in m.UserIds)
        {
            Timeline<UserEntry> user = GetOrCreate(_users, userId, _turn.Created);
            if (!recovering || m.SeqId > user.LastSealedSeqId)
            {
                AddEntry(user, new UserEntry(m.SeqId, conv.Id, m.Timestamp, conv.IdBytes), journalId, now);
            }
        }

        return stored;
    }

    /// <summary>
    /// Makes the staged messages visible, in the order a reader may rely on: their edits and deletes, then the conversations'
    /// entries, the inbox activity, and last the users' entries (a user entry is only ever seen with its conversation's).
    /// </summary>
    private void PublishStaged(long journalId, bool recovering)
    {
        foreach ((PendingMessage m, _) in _turn.Applied)
        {
            if (m.Kind != MessageKind.Message)
            {
                RecordChange(m, journalId);
            }
        }

        int messages = 0;
        foreach (TimelineBase conv in _turn.Conversations)
        {
            messages += conv.Publish();
        }

        foreach ((PendingMessage m, string convId) in _turn.Applied)
        {
            RecordInbox(m, convId, recovering);
        }

        foreach (TimelineBase user in _turn.Users)
        {
            user.Publish();
        }

        foreach (TimelineBase created in _turn.Created)
        {
            Counted(created);
        }

        Interlocked.Add(ref _openBlocks, _turn.Opened.Count);
        _frozenBlocks += _turn.FrozenBlocks;
        Interlocked.Add(ref _messages, messages);
        if (_turn.Applied.Count > 0)
        {
            Volatile.Write(ref _lastSeqId, _turn.Applied[^1].Message.SeqId);
        }

        _turn.Clear();
    }

    /// <summary>Drops the staged messages of a turn whose journal record failed: the blocks and timelines they opened go, the others are as before.</summary>
    private void DropStaged()
    {
        foreach (TimelineBase timeline in _turn.Conversations.Concat(_turn.Users))
        {
            timeline.Unstage();
            if (!timeline.HasFrozen)
            {
                _frozen.Remove(timeline);
            }
        }

        foreach (MemBlock opened in _turn.Opened)
        {
            _unsealed.Remove(opened.Node!);
            opened.Node = null;
        }

        _unsealedBytes -= _turn.ChargedBytes;
        _budgets.ChargeOpenBlocks(-_turn.ChargedBytes);
        // Created by this turn (never counted), so unknown to the index: nothing else can hold them.
        foreach (TimelineBase created in _turn.Created)
        {
            Remove(created);
        }

        _turn.Clear();
    }

    private void AddEntry<T>(Timeline<T> timeline, in T entry, long journalId, long now)
        where T : struct, ITimelineEntry<T>
    {
        if (!timeline.Staged)
        {
            (T.Kind == TimelineKind.Conversation ? _turn.Conversations : _turn.Users).Add(timeline);
        }

        MemBlock<T>? opened = timeline.Append(entry, journalId, _options.TimelineMaxSize, _maxBlockBytes, now, out int frozen, out int entryBytes);
        int charged = entryBytes;
        if (opened is not null)
        {
            opened.Node = _unsealed.AddLast(opened);
            charged += BlockCodec.Overhead(timeline.IdBytes) + MemBlock.MemoryOverhead;
            _turn.Opened.Add(opened);
        }

        _unsealedBytes += charged;
        _budgets.ChargeOpenBlocks(charged);
        _turn.ChargedBytes += charged;
        if (frozen > 0)
        {
            _frozen.Add(timeline);
            _turn.FrozenBlocks += frozen;
        }
    }

    private long NextTimestamp()
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (now > _lastTimestamp)
        {
            _lastTimestamp = now;
        }

        return _lastTimestamp;
    }

    private async Task SaveCheckpointsAsync(List<WriteOp> ops)
    {
        Dictionary<string, long>? wanted = null;
        List<CheckpointOp>? accepted = null;
        foreach (WriteOp op in ops)
        {
            if (op is not CheckpointOp checkpoint)
            {
                continue;
            }

            long last = (await FindForWriteAsync(_users, checkpoint.UserId).ConfigureAwait(false))?.LastSeqId ?? 0;
            if (checkpoint.SeqId > last)
            {
                checkpoint.Fail(new ArgumentOutOfRangeException(
                    "seqId", checkpoint.SeqId, $"The checkpoint cannot move beyond the user's last SeqId ({last})."));
                continue;
            }

            wanted ??= new Dictionary<string, long>(StringComparer.Ordinal);
            wanted[checkpoint.UserId] = Math.Max(wanted.GetValueOrDefault(checkpoint.UserId), checkpoint.SeqId);
            (accepted ??= []).Add(checkpoint);
        }

        if (wanted is null)
        {
            return;
        }

        try
        {
            var forward = new List<KeyValuePair<string, long>>(wanted.Count);
            foreach (KeyValuePair<string, long> pair in wanted)
            {
                if (pair.Value > await _session.Checkpoints.GetAsync(pair.Key).ConfigureAwait(false))
                {
                    forward.Add(pair);
                }
            }

            if (forward.Count > 0)
            {
                await _session.Checkpoints.SaveAsync(forward).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            Log.CheckpointWriteFailed(_logger, ex, wanted.Count);
            WriteFailed(ex);
            var error = new BlockStoreException("Saving the checkpoint failed.", ex);
            foreach (CheckpointOp op in accepted!)
            {
                op.Fail(error);
            }

            return;
        }

        foreach (CheckpointOp op in accepted!)
        {
            op.Complete(true);
        }
    }
}
