using System.Buffers.Binary;

namespace BlockStore.Engine;

/// <summary>A remembered idempotency key: the message stored first with it, and the journal record that keeps the key across a restart.</summary>
internal sealed class IdempotencyEntry(string convId, string key, long seqId, long timestamp, uint fingerprint, long journalId) : ICarriedState
{
    /// <summary>The bytes an entry takes in a carried-keys record besides its two strings (see <see cref="JournalCodec"/>).</summary>
    public const int FixedEncodedSize = 8 + 8 + 4 + 2 + 2;

    public string ConvId { get; } = convId;

    public string Key { get; } = key;

    public long SeqId { get; } = seqId;

    /// <summary>The original's CreatedAt in Unix milliseconds; the window runs from here.</summary>
    public long Timestamp { get; } = timestamp;

    public uint Fingerprint { get; } = fingerprint;

    /// <summary>The journal record holding the key; sealing carries the key to a new record before it drops this one.</summary>
    public long JournalId { get; set; } = journalId;

    /// <summary>The bytes the entry takes in a carried-keys record; zero until counted.</summary>
    public int EncodedSize { get; set; }

    /// <summary>Set once the entry is forgotten (expired or pushed out); it then only waits to leave the eviction queue.</summary>
    public bool Removed { get; set; }

    /// <summary>The fingerprint of a message's sender and body.</summary>
    public static uint FingerprintOf(uint senderId, ReadOnlySpan<byte> data)
    {
        Span<byte> sender = stackalloc byte[sizeof(uint)];
        BinaryPrimitives.WriteUInt32LittleEndian(sender, senderId);
        return Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Seed, sender), data));
    }
}
