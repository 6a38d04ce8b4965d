namespace BlockStore.Engine;

/// <summary>
/// Before a seal or a compaction drops journal records, the state they hold that must outlive them (remembered keys,
/// message changes, lifecycle rules) is written into new records, each with a SeqId of its own above the trim point.
/// </summary>
internal sealed partial class StoreEngine
{
    /// <summary>Writes the remembered keys, message changes and rules held below <paramref name="keepFrom"/> into new journal records.</summary>
    private async Task<CarriedStates> CarryAsync(long keepFrom) => new(
        await CarryAsync(_keyCarrier, keepFrom, LiveKeys).ConfigureAwait(false),
        await CarryAsync(_changeCarrier, keepFrom, () => _changes.Values.SelectMany(static changes => changes.Values)).ConfigureAwait(false),
        await CarryAsync(_ruleCarrier, keepFrom, () => _rules.All).ConfigureAwait(false));

    /// <summary>Writes the states of one kind held below <paramref name="keepFrom"/> into a new journal record; null when there are none.</summary>
    private async Task<Carried<T>?> CarryAsync<T>(JournalCarrier<T> carrier, long keepFrom, Func<IEnumerable<T>> live)
        where T : class, ICarriedState
    {
        if (carrier.Gather(keepFrom, live) is not { } gathered)
        {
            return null;
        }

        long recordId = _nextSeqId++;
        byte[] record = carrier.Encode(gathered.States);
        await _session.Timelines.AppendJournalAsync(recordId, record).ConfigureAwait(false);
        JournalAppended(recordId, record.Length);
        return new Carried<T>(gathered.States, recordId, gathered.OldestKept);
    }

    /// <summary>The trim that wrote <paramref name="carried"/> committed: the carried states now live in the new records.</summary>
    private void Carried(CarriedStates carried)
    {
        _keyCarrier.Committed(carried.Keys);
        _changeCarrier.Committed(carried.Changes);
        _ruleCarrier.Committed(carried.Rules);
    }

    /// <summary>What one trim carried, by kind.</summary>
    private readonly record struct CarriedStates(Carried<IdempotencyEntry>? Keys, Carried<MessageChange>? Changes, Carried<LifecycleRule>? Rules);
}
