namespace BlockStore.Engine;

/// <summary>The engine's in-memory record of one sealed block: ranges, count and location (56 bytes; the write time stays in the metadata).</summary>
internal readonly record struct SealedBlock(long FirstSeqId, long LastSeqId, long FirstTimestamp, long LastTimestamp, int Count, long StoreId, long Offset, int Size)
{
    public StoreIndex Location => new(StoreId, Offset, Size, default);

    public static SealedBlock From(BlockInfo info) =>
        new(info.FirstSeqId, info.LastSeqId, info.FirstTimestamp, info.LastTimestamp, info.Count, info.Location.StoreId, info.Location.Offset, info.Location.Size);
}

/// <summary>
/// The sealed part of a timeline as the working set holds it: how many blocks are sealed, the largest sealed SeqId, and the
/// newest few blocks (oldest first). Older blocks are looked up in the provider's index. Immutable: the writer publishes a new one.
/// </summary>
internal sealed class SealedTail(int count, long lastSeqId, SealedBlock[] blocks)
{
    /// <summary>How many of its newest sealed blocks a timeline keeps in memory: enough for the latest page of a hot timeline.</summary>
    public const int MaxBlocks = 4;

    public static readonly SealedTail Empty = new(0, 0, []);

    /// <summary>How many blocks of the timeline are sealed, in memory or not.</summary>
    public int Count { get; } = count;

    /// <summary>The largest SeqId in a sealed block, or 0.</summary>
    public long LastSeqId { get; } = lastSeqId;

    /// <summary>The newest sealed blocks, oldest first; all of them when <see cref="Complete"/>.</summary>
    public SealedBlock[] Blocks { get; } = blocks;

    /// <summary>True when <see cref="Blocks"/> holds every sealed block of the timeline.</summary>
    public bool Complete => Blocks.Length == Count;

    /// <summary>Every sealed block not in <see cref="Blocks"/> starts below this SeqId, so an index lookup bounded by it sees exactly those.</summary>
    public long OlderBound => Blocks.Length > 0 ? Blocks[0].FirstSeqId : LastSeqId + 1;

    /// <summary>The largest SeqId of a sealed block not in <see cref="Blocks"/> is at most this.</summary>
    public long OlderLastSeqId => Blocks.Length > 0 ? Blocks[0].FirstSeqId - 1 : LastSeqId;

    public static SealedTail From(Providers.TimelineMetadata? metadata)
    {
        if (metadata is null || metadata.SealedBlocks == 0)
        {
            return Empty;
        }

        var blocks = new SealedBlock[Math.Min(metadata.NewestBlocks.Count, MaxBlocks)];
        int skip = metadata.NewestBlocks.Count - blocks.Length;
        for (int i = 0; i < blocks.Length; i++)
        {
            blocks[i] = SealedBlock.From(metadata.NewestBlocks[skip + i]);
        }

        return new SealedTail(metadata.SealedBlocks, metadata.LastSealedSeqId, blocks);
    }

    /// <summary>
    /// This tail with <paramref name="added"/> (newer than every block here, oldest first) appended: trimmed to
    /// <see cref="MaxBlocks"/>, unless a reader extended it to more, which it keeps.
    /// </summary>
    public SealedTail With(ReadOnlySpan<SealedBlock> added)
    {
        if (added.Length == 0)
        {
            return this;
        }

        int total = Blocks.Length + added.Length;
        int keep = Blocks.Length > MaxBlocks ? total : Math.Min(total, MaxBlocks);
        var blocks = new SealedBlock[keep];
        int fromAdded = Math.Min(added.Length, keep);
        int fromOld = keep - fromAdded;
        Blocks.AsSpan(Blocks.Length - fromOld).CopyTo(blocks);
        added[^fromAdded..].CopyTo(blocks.AsSpan(fromOld));
        return new SealedTail(Count + added.Length, added[^1].LastSeqId, blocks);
    }

    /// <summary>This tail with every older sealed block in front: <paramref name="older"/>, oldest first, exactly those not in <see cref="Blocks"/>.</summary>
    public SealedTail Prepend(SealedBlock[] older) => new(Count, LastSeqId, [.. older, .. Blocks]);
}
