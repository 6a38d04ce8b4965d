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

/// <summary>
/// Released block bytes per store: a store's reported use is its placed bytes less its freed ones, and a store whose bytes are all freed,
/// other than the last (the one new blocks go to), is dropped.
/// </summary>
internal static class StoreRelease
{
    /// <summary>
    /// What freeing <paramref name="released"/> (bytes per store id, of blocks that were still stored) does to <paramref name="stores"/>,
    /// whose freed bytes so far are <paramref name="freed"/>; changes nothing.
    /// </summary>
    public static StoreReleasePlan Plan(IReadOnlyList<StoreInfo> stores, IReadOnlyDictionary<long, long> freed, IReadOnlyDictionary<long, long> released)
    {
        var after = new List<StoreInfo>(stores.Count);
        var freedAfter = new Dictionary<long, long>(freed);
        var updated = new List<KeyValuePair<long, long>>();
        var dropped = new List<long>();
        for (int i = 0; i < stores.Count; i++)
        {
            StoreInfo store = stores[i];
            bool releasing = released.TryGetValue(store.StoreId, out long bytes);
            long total = freedAfter.GetValueOrDefault(store.StoreId) + bytes;

            // A store emptied while it was the last one goes once a later store took its place.
            if (total >= store.UsedBytes && i < stores.Count - 1)
            {
                freedAfter.Remove(store.StoreId);
                dropped.Add(store.StoreId);
                continue;
            }

            if (releasing)
            {
                freedAfter[store.StoreId] = total;
                updated.Add(new(store.StoreId, total));
            }

            after.Add(store);
        }

        return new StoreReleasePlan(after, freedAfter, updated, dropped);
    }

    /// <summary>The stores as <see cref="IBlockStorage.GetStoresAsync"/> reports them: each one's placed bytes less its freed ones.</summary>
    public static IReadOnlyList<StoreInfo> Report(IReadOnlyList<StoreInfo> stores, IReadOnlyDictionary<long, long> freed) =>
        [.. stores.Select(s => freed.TryGetValue(s.StoreId, out long bytes) ? s with { UsedBytes = s.UsedBytes - bytes } : s)];
}

/// <summary>The outcome of <see cref="StoreRelease.Plan"/>.</summary>
/// <param name="Stores">The stores afterwards, with their placed bytes (where the next block goes).</param>
/// <param name="Freed">The freed bytes of each store afterwards.</param>
/// <param name="Updated">The stores that stay, with their new freed bytes.</param>
/// <param name="Dropped">The stores whose bytes are all freed: to delete.</param>
internal sealed record StoreReleasePlan(List<StoreInfo> Stores, Dictionary<long, long> Freed, List<KeyValuePair<long, long>> Updated, List<long> Dropped);

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
