namespace BlockStore.Providers;

/// <summary>The running totals of a data set's index, kept durable by the provider so that opening needs no scan.</summary>
/// <param name="ConvTimelines">How many conversation timelines are registered.</param>
/// <param name="UserTimelines">How many user timelines are registered.</param>
/// <param name="SealedBlocks">How many sealed blocks are recorded.</param>
/// <param name="SealedMessages">How many entries the sealed blocks of conversation timelines hold.</param>
/// <param name="MaxSeqId">The high-water mark: the largest SeqId of any sealed block ever recorded, or 0.</param>
/// <param name="MaxTimestamp">The latest CreatedAt (Unix milliseconds) of any sealed block ever recorded, or 0.</param>
public sealed record DataSetSummary(long ConvTimelines, long UserTimelines, long SealedBlocks, long SealedMessages, long MaxSeqId, long MaxTimestamp);
