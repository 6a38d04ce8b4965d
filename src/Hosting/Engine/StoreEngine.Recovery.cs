using BlockStore.Diagnostics;
using BlockStore.Providers;
using Microsoft.Extensions.Logging;

namespace BlockStore.Engine;

/// <summary>
/// Opening: read the index's totals and high-water marks (no scan), then replay the journal into open blocks, looking up only
/// the timelines the journal touches. The cost grows with the journal, not with the number of timelines or blocks.
/// </summary>
internal sealed partial class StoreEngine
{
    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        ITimelineRepository repository = _session.Timelines;
        DataSetSummary summary = await repository.GetSummaryAsync(cancellationToken).ConfigureAwait(false);
        _convTimelines = summary.ConvTimelines;
        _userTimelines = summary.UserTimelines;
        _sealedBlocks = summary.SealedBlocks;
        _messages = summary.SealedMessages;
        long maxSeq = summary.MaxSeqId;
        long maxTimestamp = summary.MaxTimestamp;

        _inboxAppliedThrough = await _session.Inbox.GetAppliedThroughAsync(cancellationToken).ConfigureAwait(false);
        long keepFrom = await repository.LoadJournalKeepFromAsync(cancellationToken).ConfigureAwait(false);
        long lastJournalId = keepFrom - 1;
        int records = 0;
        long replayed = 0;
        var keys = new List<IdempotencyEntry>();
        var changes = new List<MessageChange>();
        var rules = new List<LifecycleRule>();
        await foreach (JournalRecord record in repository.ReadJournalAsync(cancellationToken).ConfigureAwait(false))
        {
            List<PendingMessage> messages = JournalCodec.Decode(record.Id, record.Payload, keys, changes, rules);
            RecoverChanges(changes);
            changes.Clear();
            RecoverRules(rules);
            rules.Clear();
            await LoadForWriteAsync(messages).ConfigureAwait(false);
            foreach (PendingMessage message in messages)
            {
                Stage(message, record.Id, recovering: true);
                maxSeq = Math.Max(maxSeq, message.SeqId);
                maxTimestamp = Math.Max(maxTimestamp, message.Timestamp);
            }

            PublishStaged(record.Id, recovering: true);

            JournalAppended(record.Id, record.Payload.Length);
            lastJournalId = Math.Max(lastJournalId, record.Id);
            records++;
            replayed += messages.Count;
        }

        RecoverKeys(keys);

        // Ids below the trim point may have been used before, even if no stored message holds them any more; a carried-keys
        // record takes a SeqId of its own, possibly above every message.
        _nextSeqId = Math.Max(Math.Max(maxSeq, lastJournalId) + 1, keepFrom);
        _lastJournalId = Math.Max(lastJournalId, 0);
        _lastSeqId = maxSeq;
        _lastTimestamp = maxTimestamp;
        if (records > 0)
        {
            Log.Recovered(_logger, records, replayed);
        }
    }
}
