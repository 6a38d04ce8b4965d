using System.Text;

namespace BlockStore.Engine;

/// <summary>
/// Idempotency keys: the writer remembers (conversation, key) → the message stored first, for
/// <see cref="BlockStoreOptions.IdempotencyWindow"/>, bounded by <see cref="BlockStoreOptions.IdempotencyMaxKeys"/> and by a quarter of
/// <see cref="BlockStoreOptions.JournalMaxBytes"/> (and one journal record). Keys travel in the journal records of their messages; before sealing drops a
/// record that holds keys still remembered, they are written again in a carried-keys record, so the journal always holds them
/// and recovery rebuilds the map. Only the writer touches the map.
/// </summary>
internal sealed partial class StoreEngine
{
    private readonly Dictionary<(string ConvId, string Key), IdempotencyEntry> _keys = [];

    /// <summary>Remembered keys in SeqId order (so also CreatedAt order): the head is forgotten first.</summary>
    private readonly Queue<IdempotencyEntry> _keyOrder = new();

    /// <summary>Keys claimed by this turn's messages, remembered for good once the journal write succeeds.</summary>
    private readonly List<IdempotencyEntry> _claimed = [];

    private long _keyBytes;

    /// <summary>Carries remembered keys into carried-keys records before a trim drops the records holding them.</summary>
    private readonly JournalCarrier<IdempotencyEntry> _keyCarrier = new(JournalCodec.EncodeCarriedKeys);

    private long KeyWindowMs => (long)_options.IdempotencyWindow.TotalMilliseconds;

    /// <summary>Completes the messages of <paramref name="op"/> that repeated a key with the message stored first.</summary>
    public async Task ResolveDuplicatesAsync(AppendOp op, Message[] stored, CancellationToken cancellationToken)
    {
        for (int i = 0; i < stored.Length; i++)
        {
            if (stored[i] is not null)
            {
                continue;
            }

            PendingMessage message = op.Messages[i];
            long seqId = message.DuplicateOf;
            for (int j = 0; j < stored.Length && stored[i] is null; j++)
            {
                if (stored[j] is { } earlier && earlier.SeqId == seqId)
                {
                    stored[i] = earlier;
                }
            }

            if (stored[i] is null)
            {
                IReadOnlyList<Message> page = await GetConvMessagesAsync(message.ConvId, 1, seqId + 1, cancellationToken).ConfigureAwait(false);
                stored[i] = page.Count == 1 && page[0].SeqId == seqId
                    ? page[0]
                    : throw new BlockStoreException($"Message {seqId}, stored first with idempotency key '{message.IdempotencyKey}', is no longer in conversation '{message.ConvId}'.");
            }
        }
    }

    /// <summary>
    /// Assigns SeqIds to the messages of <paramref name="append"/> and adds them to the turn's batch, except those whose key was
    /// used before (marked with <see cref="PendingMessage.DuplicateOf"/>). A key used before with another sender or body refuses
    /// the whole request: it is failed and nothing of it stays in the batch.
    /// </summary>
    private void AddToBatch(AppendOp append)
    {
        if (append.Refused)
        {
            return;
        }

        long seqBefore = _nextSeqId;
        int batchBefore = _batch.Count;
        int claimedBefore = _claimed.Count;
        long now = 0;
        PendingMessage[] messages = append.Messages;
        for (int i = 0; i < messages.Length; i++)
        {
            PendingMessage message = messages[i];
            if (message.IdempotencyKey is { } key)
            {
                now = now == 0 ? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() : now;
                if (TryGetKey(message.ConvId, key, now, out IdempotencyEntry? original))
                {
                    if (original.Fingerprint != message.Fingerprint)
                    {
                        Refuse(append, batchBefore, claimedBefore, seqBefore, new ArgumentException(
                            $"{(append.IsBatch ? $"batch[{i}].IdempotencyKey" : "idempotencyKey")} '{key}' was used for message {original.SeqId} " +
                            $"of conversation '{message.ConvId}' with another sender or body.",
                            append.IsBatch ? "batch" : "idempotencyKey"));
                        return;
                    }

                    message.DuplicateOf = original.SeqId;
                    append.Duplicates++;
                    continue;
                }
            }

            if (message.RequestedTimestamp != 0 && CheckCreatedAt(message, i) is { } refusal)
            {
                Refuse(append, batchBefore, claimedBefore, seqBefore, refusal);
                return;
            }

            message.SeqId = _nextSeqId++;
            message.Timestamp = message.RequestedTimestamp != 0 ? AcceptCreatedAt(message.RequestedTimestamp) : NextTimestamp();
            NoteTurnTime(message);
            _batch.Add(message);
            if (message.IdempotencyKey is not null)
            {
                var entry = new IdempotencyEntry(message.ConvId, message.IdempotencyKey, message.SeqId, message.Timestamp, message.Fingerprint, journalId: 0);
                _keys[(entry.ConvId, entry.Key)] = entry;
                _claimed.Add(entry);
            }
        }
    }

    /// <summary>Takes back what <paramref name="append"/> added to the turn so far and fails it with <paramref name="error"/>.</summary>
    private void Refuse(AppendOp append, int batchBefore, int claimedBefore, long seqBefore, ArgumentException error)
    {
        Unclaim(claimedBefore);
        _batch.RemoveRange(batchBefore, _batch.Count - batchBefore);
        _nextSeqId = seqBefore;
        _turnTimes = null;
        append.Refused = true;
        append.Fail(error);
    }

    private bool TryGetKey(string convId, string key, long now, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IdempotencyEntry? entry)
    {
        if (!_keys.TryGetValue((convId, key), out entry))
        {
            return false;
        }

        if (now - entry.Timestamp < KeyWindowMs)
        {
            return true;
        }

        _keys.Remove((convId, key));
        entry.Removed = true;
        entry = null;
        return false;
    }

    /// <summary>Forgets the keys claimed since <paramref name="from"/>: their messages were not journaled.</summary>
    private void Unclaim(int from)
    {
        for (int i = from; i < _claimed.Count; i++)
        {
            _keys.Remove((_claimed[i].ConvId, _claimed[i].Key));
        }

        _claimed.RemoveRange(from, _claimed.Count - from);
    }

    /// <summary>The turn's journal record <paramref name="journalId"/> is durable: its keys are remembered from now on.</summary>
    private void KeysJournaled(long journalId)
    {
        if (_claimed.Count == 0)
        {
            return;
        }

        foreach (IdempotencyEntry entry in _claimed)
        {
            entry.JournalId = journalId;
            Remember(entry);
        }

        _claimed.Clear();
        _keyCarrier.Noted(journalId);
        ForgetKeys(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    private void Remember(IdempotencyEntry entry)
    {
        entry.EncodedSize = IdempotencyEntry.FixedEncodedSize + Encoding.UTF8.GetByteCount(entry.ConvId) + Encoding.UTF8.GetByteCount(entry.Key);
        _keyBytes += entry.EncodedSize;
        _keyOrder.Enqueue(entry);
    }

    /// <summary>Forgets the oldest keys while they are past the window or the keys pass their count or byte budget.</summary>
    private void ForgetKeys(long now)
    {
        // The carried-keys record must also fit in one journal record.
        long maxBytes = Math.Min(_options.JournalMaxBytes / 4, MaxRecordBytes - JournalCodec.EmptyRecordSize);
        while (_keyOrder.TryPeek(out IdempotencyEntry? head)
            && (head.Removed || now - head.Timestamp >= KeyWindowMs || _keys.Count > _options.IdempotencyMaxKeys || _keyBytes > maxBytes))
        {
            _keyOrder.Dequeue();
            _keyBytes -= head.EncodedSize;
            if (!head.Removed)
            {
                head.Removed = true;
                _keys.Remove((head.ConvId, head.Key));
            }
        }
    }

    /// <summary>Rebuilds the remembered keys from those the journal replay found, oldest first.</summary>
    private void RecoverKeys(List<IdempotencyEntry> found)
    {
        found.Sort(static (x, y) => x.SeqId.CompareTo(y.SeqId));
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (IdempotencyEntry entry in found)
        {
            if (now - entry.Timestamp >= KeyWindowMs)
            {
                continue;
            }

            // A key found twice (carried while its record survived a crash, or used again once forgotten): the newer wins.
            if (_keys.TryGetValue((entry.ConvId, entry.Key), out IdempotencyEntry? older))
            {
                older.Removed = true;
            }

            _keys[(entry.ConvId, entry.Key)] = entry;
            Remember(entry);
            _keyCarrier.Noted(entry.JournalId);
        }

        ForgetKeys(now);
    }

    /// <summary>The keys still remembered, after forgetting those past the window: what a trim must carry.</summary>
    private IEnumerable<IdempotencyEntry> LiveKeys()
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        ForgetKeys(now);
        foreach (IdempotencyEntry entry in _keyOrder)
        {
            if (!entry.Removed && now - entry.Timestamp < KeyWindowMs)
            {
                yield return entry;
            }
        }
    }
}
