using System.Buffers.Binary;

namespace BlockStore.Providers.File;

/// <summary>
/// The data set's running totals and the journal's trim point, kept in the key directory under <see cref="DirectoryKeys.Totals"/>
/// and rewritten with every change, so the statistics never need a walk of the timelines. Encoded as seven i64 (little endian)
/// in the order of the parameters.
/// </summary>
/// <param name="KeepFrom">The smallest journal record id still needed; records below it are covered by sealed blocks.</param>
/// <param name="ConvTimelines">How many conversation timelines are registered.</param>
/// <param name="UserTimelines">How many user timelines are registered.</param>
/// <param name="SealedBlocks">How many sealed blocks the timelines hold.</param>
/// <param name="SealedMessages">How many entries the conversation timelines' sealed blocks hold.</param>
/// <param name="MaxSeqId">The largest SeqId ever recorded.</param>
/// <param name="MaxTimestamp">The latest timestamp ever recorded (Unix ms).</param>
internal readonly record struct DirectoryTotals(
    long KeepFrom, long ConvTimelines, long UserTimelines, long SealedBlocks, long SealedMessages, long MaxSeqId, long MaxTimestamp)
{
    /// <summary>The size of the encoded totals.</summary>
    public const int EncodedSize = 7 * sizeof(long);

    /// <summary>The totals with a newly registered timeline counted.</summary>
    public DirectoryTotals TimelineAdded(TimelineKey key) =>
        key.Kind == TimelineKind.Conversation ? this with { ConvTimelines = ConvTimelines + 1 } : this with { UserTimelines = UserTimelines + 1 };

    /// <summary>The totals with a newly recorded block counted.</summary>
    public DirectoryTotals BlockAdded(TimelineKey key, int count, long lastSeqId, long lastTimestamp) =>
        this with
        {
            SealedBlocks = SealedBlocks + 1,
            SealedMessages = SealedMessages + (key.Kind == TimelineKind.Conversation ? count : 0),
            MaxSeqId = Math.Max(MaxSeqId, lastSeqId),
            MaxTimestamp = Math.Max(MaxTimestamp, lastTimestamp),
        };

    /// <summary>The totals with a timeline's blocks moved from <paramref name="before"/> to <paramref name="after"/>.</summary>
    public DirectoryTotals Replaced(TimelineKey key, DirectoryEntry before, DirectoryEntry after) =>
        this with
        {
            SealedBlocks = SealedBlocks + after.Blocks - before.Blocks,
            SealedMessages = SealedMessages + (key.Kind == TimelineKind.Conversation ? after.Entries - before.Entries : 0),
        };

    /// <summary>The totals with a timeline and its blocks (<paramref name="entry"/>) counted in (+1) or out (-1).</summary>
    public DirectoryTotals Counted(TimelineKey key, DirectoryEntry entry, int sign) =>
        this with
        {
            ConvTimelines = ConvTimelines + (key.Kind == TimelineKind.Conversation ? sign : 0),
            UserTimelines = UserTimelines + (key.Kind == TimelineKind.User ? sign : 0),
            SealedBlocks = SealedBlocks + (sign * entry.Blocks),
            SealedMessages = SealedMessages + (key.Kind == TimelineKind.Conversation ? sign * entry.Entries : 0),
            MaxSeqId = Math.Max(MaxSeqId, entry.LastSeqId),
        };

    /// <summary>The totals as a key directory value.</summary>
    public byte[] Encode()
    {
        byte[] value = new byte[EncodedSize];
        Span<byte> span = value;
        foreach (long field in (ReadOnlySpan<long>)[KeepFrom, ConvTimelines, UserTimelines, SealedBlocks, SealedMessages, MaxSeqId, MaxTimestamp])
        {
            BinaryPrimitives.WriteInt64LittleEndian(span, field);
            span = span[sizeof(long)..];
        }

        return value;
    }

    /// <summary>Reads the totals from a key directory value, or throws <see cref="InvalidDataException"/>.</summary>
    public static DirectoryTotals Decode(ReadOnlySpan<byte> value)
    {
        if (value.Length != EncodedSize)
        {
            throw new InvalidDataException($"The totals are {EncodedSize} bytes, not {value.Length}.");
        }

        return new DirectoryTotals(
            Field(value, 0), Field(value, 1), Field(value, 2), Field(value, 3), Field(value, 4), Field(value, 5), Field(value, 6));
    }

    private static long Field(ReadOnlySpan<byte> value, int index) => BinaryPrimitives.ReadInt64LittleEndian(value[(index * sizeof(long))..]);
}
