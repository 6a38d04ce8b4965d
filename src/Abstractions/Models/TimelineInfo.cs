namespace BlockStore;

/// <summary>A snapshot of one timeline: its identity, newest SeqId, message count and sealed block count.</summary>
/// <param name="Kind">Whether this is a conversation or a user timeline.</param>
/// <param name="Id">The conversation or user id.</param>
/// <param name="LastSeqId">The newest SeqId in the timeline, or 0 when it is empty.</param>
/// <param name="MessageCount">How many entries the timeline holds.</param>
/// <param name="SealedBlockCount">How many of its blocks are sealed and written to a store.</param>
public sealed record TimelineInfo(TimelineKind Kind, string Id, long LastSeqId, long MessageCount, int SealedBlockCount);
