namespace BlockStore;

/// <summary>How the payload of a sealed block is compressed on disk.</summary>
public enum BlockCompression
{
    /// <summary>Payloads are stored as encoded, uncompressed.</summary>
    None = 0,

    /// <summary>Payloads are compressed with Zstandard when that makes them smaller.</summary>
    Zstd = 1,
}
