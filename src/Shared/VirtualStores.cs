namespace BlockStore.Providers;

/// <summary>
/// Places blocks back to back into fixed-capacity virtual stores, for providers that keep block bytes in database rows: each
/// block goes at the current store's used length, and a block that does not fit opens the next store.
/// </summary>
internal static class VirtualStores
{
    /// <summary>Where each of <paramref name="blocks"/> goes after <paramref name="stores"/>, and what the store list becomes; changes nothing.</summary>
    /// <exception cref="ArgumentException">A block is larger than a store.</exception>
    public static StorePlacement Place(IReadOnlyList<StoreInfo> stores, long capacity, IReadOnlyList<ReadOnlyMemory<byte>> blocks, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        List<StoreInfo> after = [.. stores];
        var locations = new StoreIndex[blocks.Count];
        int firstTouched = after.Count == 0 ? 0 : after.Count - 1;
        int existing = after.Count;
        StoreInfo? current = after.Count == 0 ? null : after[^1];
        long used = current?.UsedBytes ?? 0;
        for (int i = 0; i < blocks.Count; i++)
        {
            int length = blocks[i].Length;
            if (length > capacity)
            {
                throw new ArgumentException($"Block {i} is {length} bytes; stores hold at most {capacity}.", nameof(blocks));
            }

            if (current is null || used + length > current.Capacity)
            {
                if (current is not null)
                {
                    after[^1] = current with { UsedBytes = used };
                }

                current = new StoreInfo((current?.StoreId ?? 0) + 1, capacity, 0);
                after.Add(current);
                used = 0;
            }

            locations[i] = new StoreIndex(current.StoreId, used, length, now);
            used += length;
        }

        if (current is not null)
        {
            after[^1] = current with { UsedBytes = used };
        }

        return new StorePlacement(locations, after, blocks.Count == 0 ? after.Count : firstTouched, existing);
    }
}

/// <summary>The outcome of <see cref="VirtualStores.Place"/>.</summary>
/// <param name="Locations">Where each block goes, in the order given.</param>
/// <param name="Stores">Every store afterwards, with its used bytes.</param>
/// <param name="FirstTouched">The index in <paramref name="Stores"/> of the first store whose used bytes changed or that is new.</param>
/// <param name="Existing">How many of <paramref name="Stores"/> existed before; the rest are new.</param>
internal sealed record StorePlacement(StoreIndex[] Locations, List<StoreInfo> Stores, int FirstTouched, int Existing)
{
    /// <summary>The stores whose used bytes changed, new ones included.</summary>
    public IEnumerable<StoreInfo> Touched => Stores.Skip(FirstTouched);

    /// <summary>The stores this placement opens.</summary>
    public IEnumerable<StoreInfo> Created => Stores.Skip(Existing);
}
