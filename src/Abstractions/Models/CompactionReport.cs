namespace BlockStore;

/// <summary>What one compaction did: the timelines and blocks it rewrote, the entries and bodies it removed, and the space it gave back.</summary>
/// <param name="TimelinesRewritten">Timelines with at least one block rewritten or removed.</param>
/// <param name="TimelinesDeleted">Timelines removed whole (deleted conversations and users with nothing left).</param>
/// <param name="BlocksRewritten">Blocks replaced by a smaller one.</param>
/// <param name="BlocksRemoved">Blocks removed with nothing left in them.</param>
/// <param name="BlocksMoved">Blocks copied unchanged out of mostly freed stores, so those stores could be deleted whole.</param>
/// <param name="EntriesRemoved">Timeline entries removed (expired, of deleted conversations or users).</param>
/// <param name="BodiesErased">Message and event bodies removed from blocks that stay (deleted or erased messages).</param>
/// <param name="BytesRead">Block bytes read.</param>
/// <param name="BytesWritten">Block bytes written.</param>
/// <param name="StoreBytesBefore">The bytes the stores held before the compaction.</param>
/// <param name="StoreBytesAfter">The bytes the stores hold after it.</param>
/// <param name="Duration">How long the compaction took.</param>
public sealed record CompactionReport(
    int TimelinesRewritten,
    int TimelinesDeleted,
    int BlocksRewritten,
    int BlocksRemoved,
    int BlocksMoved,
    long EntriesRemoved,
    long BodiesErased,
    long BytesRead,
    long BytesWritten,
    long StoreBytesBefore,
    long StoreBytesAfter,
    TimeSpan Duration);
