using System.Collections.Concurrent;
using BlockStore.Diagnostics;
using Microsoft.Extensions.Logging;

namespace BlockStore.Engine;

/// <summary>
/// Erasure and retention rules: a conversation or user delete, a sender erasure or a retention setting is journaled as a rule
/// record (with a SeqId of its own) and is in force for every read from the moment the call returns; compaction then removes
/// what a rule covers from the blocks and drops the rule. Rules are carried over journal trims like message changes.
/// </summary>
internal sealed partial class StoreEngine
{
    private readonly LifecycleRules _rules;

    /// <summary>Carries rules into new rules records before a trim drops the records holding them.</summary>
    private readonly JournalCarrier<LifecycleRule> _ruleCarrier = new(JournalCodec.EncodeRules);

    /// <summary>Journals this turn's rules as one record, puts them in force, then removes what deletes cover at once (checkpoints, inbox rows).</summary>
    private async Task ApplyRulesAsync(List<WriteOp> ops)
    {
        List<RuleOp>? accepted = null;
        List<LifecycleRule>? rules = null;
        foreach (WriteOp op in ops)
        {
            if (op is RuleOp set)
            {
                (accepted ??= []).Add(set);
                long value = set.Kind == RuleKind.Retention ? set.MaxAgeMs : Volatile.Read(ref _lastSeqId);
                (rules ??= []).Add(new LifecycleRule(set.Kind, set.Id, set.SenderId, value));
            }
        }

        if (rules is null)
        {
            return;
        }

        if (UpdateWritesRefused())
        {
            var refused = new BlockStoreException(WritesRefusedMessage(), _sealFailure?.Exception);
            accepted!.ForEach(op => op.Fail(refused));
            return;
        }

        long recordId = _nextSeqId++;
        try
        {
            byte[] record = JournalCodec.EncodeRules(rules);
            await _session.Timelines.AppendJournalAsync(recordId, record).ConfigureAwait(false);
            _lastJournalId = recordId;
            JournalAppended(recordId, record.Length);
            foreach (LifecycleRule rule in rules)
            {
                rule.JournalId = recordId;
                PutInForce(rule);
                ForgetChangesCoveredBy(rule);
            }

            foreach (LifecycleRule rule in rules)
            {
                await RemoveCoveredStateAsync(rule).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            Log.JournalWriteFailed(_logger, ex, rules.Count);
            WriteFailed(ex);
            var error = new BlockStoreException("Storing the delete or retention setting failed.", ex);
            accepted!.ForEach(op => op.Fail(error));
            return;
        }

        accepted!.ForEach(static op => op.Complete(true));
    }

    /// <summary>Removes at once what a user or conversation delete covers outside the timelines: the user's checkpoint and inbox, or the conversation's inbox rows.</summary>
    private async Task RemoveCoveredStateAsync(LifecycleRule rule)
    {
        if (rule.Kind == RuleKind.UserDeleted)
        {
            await _session.Checkpoints.DeleteAsync(rule.Id).ConfigureAwait(false);
            await ForgetInboxUserAsync(rule.Id).ConfigureAwait(false);
        }
        else if (rule.Kind == RuleKind.ConversationDeleted)
        {
            await ForgetInboxConversationAsync(rule.Id).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Drops the message changes a new rule makes moot, so no later journal trim carries their bodies: those of a deleted
    /// conversation's history, and the edits of an erased sender's messages (the rule itself makes those messages tombstones).
    /// </summary>
    private void ForgetChangesCoveredBy(LifecycleRule rule)
    {
        if (rule.Kind == RuleKind.ConversationDeleted && _changes.TryGetValue(rule.Id, out ConcurrentDictionary<long, MessageChange>? changes))
        {
            foreach (long target in changes.Keys)
            {
                if (target <= rule.Value)
                {
                    changes.TryRemove(target, out _);
                }
            }
        }
        else if (rule.Kind == RuleKind.SenderErased)
        {
            foreach (ConcurrentDictionary<long, MessageChange> conversation in _changes.Values)
            {
                foreach (MessageChange change in conversation.Values)
                {
                    if (!change.Deleted && change.SenderId == rule.SenderId && change.TargetSeqId <= rule.Value)
                    {
                        conversation.TryRemove(KeyValuePair.Create(change.TargetSeqId, change));
                    }
                }
            }
        }
    }

    private void PutInForce(LifecycleRule rule)
    {
        _rules.Add(rule);
        _ruleCarrier.Noted(rule.JournalId);
    }

    /// <summary>Rebuilds the rules a journal replay found, in record order.</summary>
    private void RecoverRules(List<LifecycleRule> found)
    {
        foreach (LifecycleRule rule in found)
        {
            PutInForce(rule);
        }
    }

}
