namespace BlockStore.Providers;

/// <summary>The checks of <see cref="ITimelineRepository.ReplaceBlocksAsync(TimelineKey, IReadOnlyList{BlockInfo}, IReadOnlyList{BlockInfo}, CancellationToken)"/>'s arguments that need no lookup, made before anything is written.</summary>
internal static class BlockReplacementChecks
{
    /// <summary>Refuses blocks of another timeline, null blocks, a block removed twice, and added blocks that are empty or not in increasing, disjoint SeqId order.</summary>
    /// <exception cref="ArgumentException">An argument is refused; its name is the exception's parameter name.</exception>
    public static void Validate(TimelineKey key, IReadOnlyList<BlockInfo> removed, IReadOnlyList<BlockInfo> added)
    {
        ArgumentNullException.ThrowIfNull(key.Id, nameof(key));
        ArgumentNullException.ThrowIfNull(removed);
        ArgumentNullException.ThrowIfNull(added);
        CheckOwner(key, removed, nameof(removed));
        CheckOwner(key, added, nameof(added));
        var seen = new HashSet<long>();
        foreach (BlockInfo block in removed)
        {
            if (!seen.Add(block.FirstSeqId))
            {
                throw new ArgumentException($"The block starting at SeqId {block.FirstSeqId} is removed twice.", nameof(removed));
            }
        }

        long previous = 0;
        for (int i = 0; i < added.Count; i++)
        {
            BlockInfo block = added[i];
            if (block.Count <= 0 || block.FirstSeqId <= previous || block.LastSeqId < block.FirstSeqId)
            {
                throw new ArgumentException(
                    $"Added block {i} (SeqIds {block.FirstSeqId}..{block.LastSeqId}, {block.Count} entries) is empty or not after the block before it; added blocks must be in SeqId order.",
                    nameof(added));
            }

            previous = block.LastSeqId;
        }
    }

    private static void CheckOwner(TimelineKey key, IReadOnlyList<BlockInfo> blocks, string paramName)
    {
        for (int i = 0; i < blocks.Count; i++)
        {
            if (blocks[i] is not { } block || block.Kind != key.Kind || !string.Equals(block.TimelineId, key.Id, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Block {i} is not a block of {key.Kind} '{key.Id}'.", paramName);
            }
        }
    }
}
