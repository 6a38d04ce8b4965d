using System.Collections.Concurrent;
using BlockStore.Diagnostics;
using Microsoft.Extensions.Logging;

namespace BlockStore.Engine;

/// <summary>
/// Edits and deletes: each is an event with its own SeqId, appended through the writer's group commit to the conversation and
/// to the target's recipients. The target's current state (latest body and edit time, or tombstone) is kept as a
/// <see cref="MessageChange"/> that every read applies, so no read returns a replaced or deleted body once the call that
/// changed it returned. The changes travel in the journal records of their events; before sealing drops such a record they
/// are written again in a carried-changes record, so the journal always holds them and recovery rebuilds them.
/// </summary>
internal sealed partial class StoreEngine
{
    /// <summary>The changed messages of each conversation, by target SeqId. Only the writer adds; readers look up.</summary>
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<long, MessageChange>> _changes = new(StringComparer.Ordinal);

    /// <summary>The targets changed by this turn's lifecycle requests; a second request for one waits for the next turn.</summary>
    private readonly HashSet<(string ConvId, long SeqId)> _turnTargets = [];

    /// <summary>Carries message changes into carried-changes records before a trim drops the records holding them.</summary>
    private readonly JournalCarrier<MessageChange> _changeCarrier = new(JournalCodec.EncodeCarriedChanges);

    /// <summary>The largest recipient set a conversation entry keeps: what a block holds beside the largest message.</summary>
    private int MaxRecipientBytes => _maxBlockBytes - (BlockCodec.Overhead(BlockStoreLimits.MaxIdBytes) + ConvEntry.MaxFixedSize + _options.MaxMessageBytes);

    /// <summary>
    /// The conversation entry of <paramref name="stored"/> with its recipients: the open block's last set when it is the same
    /// (so the block charges the set once per run), none when the set is too large to keep beside the largest message.
    /// </summary>
    private ConvEntry RecipientsOf(Timeline<ConvEntry> conv, Message stored, PendingMessage m)
    {
        if (conv.WriterState.Open is { StagedCount: > 0 } open && open.StagedLast is { Recipients: { } previous } last && RecipientSetComparer.Instance.Equals(previous, m.UserIds))
        {
            return new ConvEntry(stored, m.Timestamp, previous, last.RecipientBytes);
        }

        int bytes = BlockCodec.RecipientSetSize(m.UserIds);
        return bytes <= MaxRecipientBytes ? new ConvEntry(stored, m.Timestamp, m.UserIds, bytes) : new ConvEntry(stored, m.Timestamp);
    }

    /// <summary>The changes of a conversation, or null when none of its messages was edited or deleted.</summary>
    private ConcurrentDictionary<long, MessageChange>? ChangesOf(string convId) => _changes.GetValueOrDefault(convId);

    /// <summary>The entry <paramref name="message"/> in its current state: an edited or deleted message as it is now, an edit event of a deleted message without its body.</summary>
    internal static Message Current(Message message, ConcurrentDictionary<long, MessageChange>? changes)
    {
        if (changes is null)
        {
            return message;
        }

        if (message.Kind == MessageKind.Message)
        {
            return changes.TryGetValue(message.SeqId, out MessageChange? change) ? change.Apply(message) : message;
        }

        return message.Kind == MessageKind.Edit && changes.TryGetValue(message.TargetSeqId, out MessageChange? target) && target.Deleted
            ? message with { Data = ReadOnlyMemory<byte>.Empty }
            : message;
    }

    /// <summary>The message or event in its current state, for a watch delivering what it buffered earlier.</summary>
    public Message Current(Message message) => ViewOf(message.ConvId).Current(message);

    /// <summary>What a read of the conversation applies to its entries now.</summary>
    private ConvView ViewOf(string convId) => new(ChangesOf(convId), _rules, convId);

    /// <summary>
    /// Checks this turn's edits and deletes against their targets and fills in what the events carry (the target's sender and
    /// recipients). A refused request is failed and marked <see cref="AppendOp.Refused"/>; a repeated delete is completed with
    /// the delete event already stored; a second request for a target changed in this turn is queued again for the next turn.
    /// </summary>
    private async Task PrepareLifecycleAsync(List<WriteOp> ops)
    {
        _turnTargets.Clear();
        foreach (WriteOp op in ops)
        {
            if (op is not LifecycleOp change)
            {
                continue;
            }

            change.Refused = true;
            PendingMessage request = change.Request;
            if (!_turnTargets.Add((request.ConvId, request.TargetSeqId)))
            {
                if (!_queue.Writer.TryWrite(change))
                {
                    change.Fail(new ObjectDisposedException(nameof(MessageStore), "The message store is closed."));
                }

                continue;
            }

            try
            {
                if (await PrepareAsync(change, request).ConfigureAwait(false) is { } ready)
                {
                    change.Messages[0] = ready;
                    change.Refused = false;
                }
            }
            catch (Exception ex)
            {
                Log.TimelineLookupFailed(_logger, ex);
                change.Fail(new BlockStoreException("Looking up the message to change failed; nothing was stored.", ex));
            }
        }
    }

    private async Task<PendingMessage?> PrepareAsync(LifecycleOp change, PendingMessage request)
    {
        ConvEntry? found = await FindForWriteAsync(_convs, request.ConvId).ConfigureAwait(false) is { } conv
            ? await FindEntryAsync(conv, request.TargetSeqId, CancellationToken.None).ConfigureAwait(false)
            : null;
        ConvView view = ViewOf(request.ConvId);
        if (found is not { Message.Kind: MessageKind.Message } target || view.Hidden(target))
        {
            change.Fail(new ArgumentException($"SeqId {request.TargetSeqId} is not a message of conversation '{request.ConvId}'.", "seqId"));
            return null;
        }

        if (request.Kind == MessageKind.Edit && view.Erased(target.Message))
        {
            change.Fail(new ArgumentException($"Message {request.TargetSeqId} of conversation '{request.ConvId}' is deleted and cannot be edited.", "seqId"));
            return null;
        }

        if (ChangesOf(request.ConvId)?.GetValueOrDefault(request.TargetSeqId) is { Deleted: true } deleted)
        {
            if (request.Kind == MessageKind.Delete)
            {
                change.Complete([deleted.DeleteEvent()]);
            }
            else
            {
                change.Fail(new ArgumentException($"Message {request.TargetSeqId} of conversation '{request.ConvId}' is deleted and cannot be edited.", "seqId"));
            }

            return null;
        }

        return new PendingMessage(request.ConvId, target.Message.SenderId, request.Data, target.Recipients ?? [])
        {
            Kind = request.Kind,
            TargetSeqId = request.TargetSeqId,
        };
    }

    /// <summary>Records the state an edit or delete event gives its target (journaled in record <paramref name="journalId"/>); a delete is final.</summary>
    private void RecordChange(PendingMessage e, long journalId)
    {
        ConcurrentDictionary<long, MessageChange> changes = _changes.GetOrAdd(e.ConvId, static _ => new ConcurrentDictionary<long, MessageChange>());
        MessageChange? old = changes.GetValueOrDefault(e.TargetSeqId);
        var next = e.Kind == MessageKind.Edit
            ? new MessageChange(e.ConvId, e.TargetSeqId, e.SenderId, e.Data.ToArray(), e.Timestamp, Deleted: false, e.SeqId, e.Timestamp)
            : new MessageChange(e.ConvId, e.TargetSeqId, e.SenderId, ReadOnlyMemory<byte>.Empty, old?.EditedAt ?? 0, Deleted: true, e.SeqId, e.Timestamp);
        next.JournalId = journalId;
        Recover(changes, next);
    }

    /// <summary>Keeps <paramref name="next"/> unless the state known is newer or a tombstone (a journal replay may meet a target's states in any order).</summary>
    private void Recover(ConcurrentDictionary<long, MessageChange> changes, MessageChange next)
    {
        if (changes.GetValueOrDefault(next.TargetSeqId) is { } old && (old.Deleted || old.EventSeqId > next.EventSeqId))
        {
            return;
        }

        changes[next.TargetSeqId] = next;
        _changeCarrier.Noted(next.JournalId);
    }

    /// <summary>Rebuilds the changes a journal replay found in carried-changes records.</summary>
    private void RecoverChanges(List<MessageChange> found)
    {
        foreach (MessageChange change in found)
        {
            Recover(_changes.GetOrAdd(change.ConvId, static _ => new ConcurrentDictionary<long, MessageChange>()), change);
        }
    }

}
