namespace BlockStore;

/// <summary>Thrown when stored bytes fail their checksum or structure checks; the damaged data is never returned.</summary>
public sealed class CorruptBlockException : BlockStoreException
{
    /// <summary>Creates the exception for a damaged block at <paramref name="storeId"/>/<paramref name="offset"/>.</summary>
    /// <param name="storeId">The store holding the block.</param>
    /// <param name="offset">The block's offset in that store.</param>
    /// <param name="reason">What check failed.</param>
    public CorruptBlockException(long storeId, long offset, string reason)
        : base($"The block at store {storeId}, offset {offset} is corrupt: {reason}.")
    {
        StoreId = storeId;
        Offset = offset;
        Reason = reason;
    }

    /// <summary>The store holding the damaged block.</summary>
    public long StoreId { get; }

    /// <summary>The offset of the damaged block in its store.</summary>
    public long Offset { get; }

    /// <summary>What check failed.</summary>
    public string Reason { get; }
}
