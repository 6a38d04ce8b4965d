using System.Buffers.Binary;
using System.Numerics;

namespace BlockStore;

/// <summary>CRC-32C (Castagnoli) using the processor's CRC32 instruction through <see cref="BitOperations.Crc32C(uint, ulong)"/>.</summary>
internal static class Crc32C
{
    /// <summary>The running value to start from.</summary>
    public const uint Seed = ~0u;

    /// <summary>Folds <paramref name="data"/> into a running value started at <see cref="Seed"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (byte b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }

    /// <summary>Turns a running value into the final checksum.</summary>
    public static uint Finish(uint crc) => ~crc;

    /// <summary>The checksum of one span.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Append(Seed, data));
}
