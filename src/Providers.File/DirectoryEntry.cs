namespace BlockStore.Providers.File;

/// <summary>One timeline in the in-memory key directory: its newest block record in the block index and its totals (32 bytes).</summary>
/// <param name="Head">The offset of the timeline's newest block record in <see cref="BlockIndexFile"/>, or 0 when it has no block.</param>
/// <param name="Blocks">How many sealed blocks the timeline has.</param>
/// <param name="Entries">How many entries they hold.</param>
/// <param name="LastSeqId">The largest SeqId in them, or 0.</param>
internal readonly record struct DirectoryEntry(long Head, int Blocks, long Entries, long LastSeqId);
