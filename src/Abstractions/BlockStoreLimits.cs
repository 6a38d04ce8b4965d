namespace BlockStore;

/// <summary>Fixed limits of the BlockStore format that providers and applications can rely on.</summary>
public static class BlockStoreLimits
{
    /// <summary>The longest id (conversation or user) accepted, in UTF-8 bytes.</summary>
    public const int MaxIdBytes = 256;

    /// <summary>The most bytes a provider may reserve at the start of each store for its header.</summary>
    public const int StoreHeaderReserveBytes = 64;

    /// <summary>The largest <see cref="BlockStoreOptions.MaxCapacity"/> accepted (1 TiB), so offsets fit in 40 bits.</summary>
    public const long MaxStoreCapacity = 1L << 40;
}
