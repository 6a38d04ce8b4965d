namespace BlockStore.Providers.File;

/// <summary>A bound on a timeline's chain of block records that, once reached going towards the oldest, stays reached.</summary>
internal interface IChainBound
{
    /// <summary>Whether <paramref name="record"/> is at or beyond the bound.</summary>
    bool Reached(in IndexRecord record);
}

/// <summary>Reached by blocks starting below a SeqId and before a time.</summary>
internal readonly record struct StartsBefore(long BeforeSeqId, long BeforeMs) : IChainBound
{
    public bool Reached(in IndexRecord record) => record.Entry.FirstSeqId < BeforeSeqId && record.Entry.FirstTimestamp < BeforeMs;
}

/// <summary>Reached by blocks ending at or below a SeqId or before a time.</summary>
internal readonly record struct EndsBefore(long AfterSeqId, long FromMs) : IChainBound
{
    public bool Reached(in IndexRecord record) => record.Entry.LastSeqId <= AfterSeqId || record.Entry.LastTimestamp < FromMs;
}

/// <summary>Reached by blocks at or before a position of their chain.</summary>
internal readonly record struct AtOrBefore(int Position) : IChainBound
{
    public bool Reached(in IndexRecord record) => record.Position <= Position;
}
