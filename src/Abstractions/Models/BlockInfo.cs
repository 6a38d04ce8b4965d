namespace BlockStore;

/// <summary>The metadata of one sealed block: its timeline, SeqId and time range, entry count and location.</summary>
/// <param name="Kind">The kind of the timeline owning the block.</param>
/// <param name="TimelineId">The id of the timeline owning the block.</param>
/// <param name="FirstSeqId">The smallest SeqId in the block.</param>
/// <param name="LastSeqId">The largest SeqId in the block.</param>
/// <param name="FirstTimestamp">The earliest CreatedAt in the block, in Unix milliseconds.</param>
/// <param name="LastTimestamp">The latest CreatedAt in the block, in Unix milliseconds.</param>
/// <param name="Count">How many entries the block holds.</param>
/// <param name="Location">Where the block's bytes are stored.</param>
public sealed record BlockInfo(
    TimelineKind Kind,
    string TimelineId,
    long FirstSeqId,
    long LastSeqId,
    long FirstTimestamp,
    long LastTimestamp,
    int Count,
    StoreIndex Location);
