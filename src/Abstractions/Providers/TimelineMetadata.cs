namespace BlockStore.Providers;

/// <summary>What a provider's index holds for one registered timeline: the totals of its sealed blocks and the newest of them.</summary>
/// <param name="Key">The timeline.</param>
/// <param name="SealedBlocks">How many sealed blocks the timeline has.</param>
/// <param name="SealedEntries">How many entries those blocks hold together.</param>
/// <param name="LastSealedSeqId">The largest SeqId in a sealed block of the timeline, or 0 when it has none.</param>
/// <param name="NewestBlocks">The newest sealed blocks (at most as many as were asked for), oldest first.</param>
public sealed record TimelineMetadata(TimelineKey Key, int SealedBlocks, long SealedEntries, long LastSealedSeqId, IReadOnlyList<BlockInfo> NewestBlocks);
