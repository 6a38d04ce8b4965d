using ZstdSharp;
using ZstdSharp.Unsafe;

namespace BlockStore.Engine;

/// <summary>How the engine encodes the payload of the blocks it seals: the compression and its level.</summary>
internal readonly record struct BlockEncoding(BlockCompression Compression, int Level)
{
    /// <summary>The lowest accepted <see cref="BlockStoreOptions.CompressionLevel"/>.</summary>
    public const int MinLevel = 1;

    /// <summary>The highest accepted <see cref="BlockStoreOptions.CompressionLevel"/> (levels above need far more memory per call).</summary>
    public const int MaxLevel = 19;

    /// <summary>Payloads shorter than this are stored uncompressed: a Zstandard frame would not pay for itself.</summary>
    public const int MinCompressedPayload = 64;

    /// <summary>Uncompressed payloads, as a codec test or a reader of old data sets wants them.</summary>
    public static readonly BlockEncoding Uncompressed = new(BlockCompression.None, 0);

    [ThreadStatic]
    private static Compressor? t_compressor;

    [ThreadStatic]
    private static Decompressor? t_decompressor;

    public static BlockEncoding From(BlockStoreOptions options) => new(options.Compression, options.CompressionLevel);

    /// <summary>Compresses <paramref name="payload"/> into <paramref name="destination"/>; returns false when it would not get smaller.</summary>
    public bool TryCompress(ReadOnlySpan<byte> payload, byte[] destination, out int written)
    {
        written = 0;
        if (Compression != BlockCompression.Zstd || payload.Length < MinCompressedPayload)
        {
            return false;
        }

        Compressor compressor = CompressorFor(Level);
        return compressor.TryWrap(payload, destination, out written) && written < payload.Length;
    }

    /// <summary>The buffer <see cref="TryCompress"/> needs for a payload of <paramref name="length"/> bytes.</summary>
    public static int CompressBound(int length) => Compressor.GetCompressBound(length);

    /// <summary>Decompresses a Zstandard frame that must hold exactly <paramref name="destination"/>'s length; false when it does not or is damaged.</summary>
    public static bool TryDecompress(ReadOnlySpan<byte> frame, Span<byte> destination)
    {
        Decompressor decompressor = t_decompressor ??= new Decompressor();
        try
        {
            return decompressor.TryUnwrap(frame, destination, out int written) && written == destination.Length;
        }
        catch (ZstdException)
        {
            return false;
        }
    }

    private static Compressor CompressorFor(int level)
    {
        Compressor? compressor = t_compressor;
        if (compressor is null || compressor.Level != level)
        {
            compressor?.Dispose();
            compressor = new Compressor(level);
            compressor.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
            t_compressor = compressor;
        }

        return compressor;
    }
}
