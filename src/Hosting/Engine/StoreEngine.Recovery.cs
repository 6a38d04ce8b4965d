using BlockStore.Providers;
using Microsoft.Extensions.Logging;

namespace BlockStore.Engine;

/// <summary>Opening: load the timelines and the StoreIndex of their sealed blocks, then replay the journal into open blocks.</summary>
internal sealed partial class StoreEngine
{
    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        ITimelineRepository repository = _session.Timelines;
        await foreach (TimelineKey key in repository.LoadTimelinesAsync(cancellationToken).ConfigureAwait(false))
        {
            _ = key.Kind == TimelineKind.Conversation ? (TimelineBase)GetOrAddConv(key.Id) : GetOrAddUser(key.Id);
        }

        long maxSeq = 0;
        long maxTimestamp = 0;
        await foreach (BlockInfo info in repository.LoadBlocksAsync(cancellationToken).ConfigureAwait(false))
        {
            var block = SealedBlock.From(info);
            if (info.Kind == TimelineKind.Conversation)
            {
                GetOrAddConv(info.TimelineId).LoadSealed(block);
                _messages += info.Count;
            }
            else
            {
                GetOrAddUser(info.TimelineId).LoadSealed(block);
            }

            _sealedBlocks++;
            maxSeq = Math.Max(maxSeq, info.LastSeqId);
            maxTimestamp = Math.Max(maxTimestamp, info.LastTimestamp);
        }

        long keepFrom = await repository.LoadJournalKeepFromAsync(cancellationToken).ConfigureAwait(false);
        long lastJournalId = keepFrom - 1;
        int records = 0;
        long replayed = 0;
        var keys = new List<IdempotencyEntry>();
        await foreach (JournalRecord record in repository.ReadJournalAsync(cancellationToken).ConfigureAwait(false))
        {
            List<PendingMessage> messages = JournalCodec.Decode(record.Id, record.Payload, keys);
            foreach (PendingMessage message in messages)
            {
                Apply(message, record.Id, recovering: true);
                maxSeq = Math.Max(maxSeq, message.SeqId);
                maxTimestamp = Math.Max(maxTimestamp, message.Timestamp);
            }

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
