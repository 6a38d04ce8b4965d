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
        if (_batch.Count > 0)
        {
            byte[] record = JournalCodec.Encode(_batch);
            long writeStarted = Stopwatch.GetTimestamp();
            try
            {
                await _session.Timelines.AppendJournalAsync(journalId, record).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Unclaim(0);
                Log.JournalWriteFailed(_logger, ex, _batch.Count);
                WriteFailed(ex);
                var error = new BlockStoreException("Writing the journal failed; the messages were not stored.", ex);
                foreach (AppendOp append in appends)
                {
                    append.Fail(error);
                }

                return;
            }

            _lastJournalId = journalId;
            JournalCommitted(_batch.Count, record.Length, writeStarted);
            JournalAppended(journalId, record.Length);
            KeysJournaled(journalId);
        }

        foreach (AppendOp append in appends)
        {
            if (append.Refused)
            {
                continue;
            }

            // A message that repeated a key stays null here; the caller fills it in (ResolveDuplicatesAsync).
            var stored = new Message[append.Messages.Length];
            for (int i = 0; i < stored.Length; i++)
            {
                PendingMessage message = append.Messages[i];
                stored[i] = message.DuplicateOf == 0 ? Apply(message, journalId, recovering: false)! : null!;
                if (stored[i] is { } applied)
                {
                    _watches.Publish(applied, message.UserIds);
                }
            }

            append.Complete(stored);
        }
    }

    /// <summary>
    /// Publishes one journaled message to its conversation and recipients, whose timelines <see cref="LoadForWriteAsync(List{AppendOp})"/> looked
    /// up in this turn; while recovering, skips what is already sealed.
    /// </summary>
    private Message? Apply(PendingMessage m, long journalId, bool recovering)
    {
        Timeline<ConvEntry> conv = GetOrAddConv(m.ConvId);
        Message? stored = null;
        long now = Environment.TickCount64;
        if (m.Kind != MessageKind.Message)
        {
            RecordChange(m, journalId);
        }

        if (!recovering || m.SeqId > conv.LastSealedSeqId)
        {
            stored = new Message(m.SeqId, conv.Id, m.SenderId, DateTimeOffset.FromUnixTimeMilliseconds(m.Timestamp), m.Data) { Kind = m.Kind, TargetSeqId = m.TargetSeqId };
            AddEntry(conv, RecipientsOf(conv, stored, m), journalId, now);
            Interlocked.Increment(ref _messages);
        }

        RecordInbox(m, conv.Id, recovering);
        foreach (string userId in m.UserIds)
        {
            Timeline<UserEntry> user = GetOrAddUser(userId);
            if (!recovering || m.SeqId > user.LastSealedSeqId)
            {
                AddEntry(user, new UserEntry(m.SeqId, conv.Id, m.Timestamp, conv.IdBytes), journalId, now);
            }
        }

        Volatile.Write(ref _lastSeqId, m.SeqId);
        return stored;
    }

    private void AddEntry<T>(Timeline<T> timeline, in T entry, long journalId, long now)
        where T : struct, ITimelineEntry<T>
    {
        MemBlock<T>? opened = timeline.Append(entry, journalId, _options.TimelineMaxSize, _maxBlockBytes, now, out int frozen, out int entryBytes);
        if (opened is not null)
        {
            opened.Node = _unsealed.AddLast(opened);
            _unsealedBytes += BlockCodec.Overhead(timeline.IdBytes) + MemBlock.MemoryOverhead;
            _budgets.ChargeOpenBlocks(BlockCodec.Overhead(timeline.IdBytes) + MemBlock.MemoryOverhead);
            Interlocked.Increment(ref _openBlocks);
        }

        _unsealedBytes += entryBytes;
        _budgets.ChargeOpenBlocks(entryBytes);
        if (frozen > 0)
        {
            _frozen.Add(timeline);
            _frozenBlocks += frozen;
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
