namespace BlockStore.Providers;

/// <summary>One timeline's part of a compaction: the sealed blocks it drops and the blocks that replace them.</summary>
/// <param name="Key">The timeline.</param>
/// <param name="Removed">The blocks to drop, as a lookup returned them.</param>
/// <param name="Added">The blocks that replace them, in SeqId order (possibly none).</param>
public sealed record BlockReplacement(TimelineKey Key, IReadOnlyList<BlockInfo> Removed, IReadOnlyList<BlockInfo> Added);
