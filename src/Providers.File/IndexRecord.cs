namespace BlockStore.Providers.File;

/// <summary>One block record of <see cref="BlockIndexFile"/>: a sealed block, its place in its timeline's chain and its links back.</summary>
/// <param name="Previous">The offset of the timeline's previous block record, or 0 at the oldest.</param>
/// <param name="Jump">The offset of an older record of the same chain to skip to, or 0 for none (see <see cref="BlockIndexFile"/>).</param>
/// <param name="Position">The record's position in its chain: 1 for the timeline's oldest block, its block count for the newest.</param>
/// <param name="JumpPosition">The position of the record at <paramref name="Jump"/>, or 0.</param>
/// <param name="Entry">The block.</param>
internal readonly record struct IndexRecord(long Previous, long Jump, int Position, int JumpPosition, BlockEntry Entry);
