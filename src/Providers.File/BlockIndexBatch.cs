namespace BlockStore.Providers.File;

/// <summary>
/// Block records staged for one <see cref="BlockIndexFile.Append"/>: each is chained to its timeline's newest record (on disk or
/// staged before it) and gets its skip link from the records behind it. A batch that is never appended leaves no trace.
/// </summary>
internal sealed class BlockIndexBatch
{
    private readonly BlockIndexFile _file;
    private readonly List<IndexRecord> _records = [];

    internal BlockIndexBatch(BlockIndexFile file, long start)
    {
        _file = file;
        Start = start;
    }

    /// <summary>The file offset of the first staged record.</summary>
    internal long Start { get; }

    /// <summary>The staged records, in file order.</summary>
    internal IReadOnlyList<IndexRecord> Records => _records;

    /// <summary>How many records are staged.</summary>
    public int Count => _records.Count;

    /// <summary>
    /// Stages a record for <paramref name="entry"/> after the chain whose newest record is at <paramref name="head"/> (0 for a
    /// timeline without blocks) and at position <paramref name="headPosition"/>; returns the offset the record will have.
    /// </summary>
    public long Add(long head, int headPosition, BlockEntry entry)
    {
        long jump = 0;
        int jumpPosition = 0;
        if (head != 0)
        {
            // Myers' skew-binary jumps: skip as far as the parent's jump skips again when both skips are equal, else to the parent.
            IndexRecord parent = Node(head, headPosition);
            (long grand, int grandPosition) = parent.Jump == 0 ? (0L, 0) : Links(Node(parent.Jump, parent.JumpPosition));
            (jump, jumpPosition) = headPosition - parent.JumpPosition == parent.JumpPosition - grandPosition
                ? (grand, grandPosition)
                : (head, headPosition);
        }

        long offset = Start + ((long)_records.Count * BlockIndexFile.FrameSize);
        _records.Add(new IndexRecord(head, jump, headPosition + 1, jumpPosition, entry));
        return offset;
    }

    private static (long Jump, int JumpPosition) Links(IndexRecord record) => (record.Jump, record.JumpPosition);

    private IndexRecord Node(long offset, int position) =>
        offset >= Start ? _records[(int)((offset - Start) / BlockIndexFile.FrameSize)] : _file.Read(offset, position);
}
