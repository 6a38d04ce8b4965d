namespace BlockStore.Providers.File;

/// <summary>
/// The keys of the key directory table: a timeline is its kind (u8: 1 conversation, 2 user) followed by its id in UTF-8, so
/// the timelines of one kind are contiguous and sorted by id; the single key 0x00 holds the data set's totals.
/// </summary>
internal static class DirectoryKeys
{
    /// <summary>The key of the totals record.</summary>
    public static ReadOnlySpan<byte> Totals => [0];

    /// <summary>The key of <paramref name="key"/>.</summary>
    public static byte[] Encode(TimelineKey key)
    {
        byte[] bytes = new byte[1 + RecordBuffer.Utf8.GetByteCount(key.Id)];
        bytes[0] = (byte)key.Kind;
        RecordBuffer.Utf8.GetBytes(key.Id, bytes.AsSpan(1));
        return bytes;
    }

    /// <summary>The timeline a key names, or null for the totals; an unknown kind throws <see cref="InvalidDataException"/>.</summary>
    public static TimelineKey? Decode(ReadOnlySpan<byte> key) => key[0] switch
    {
        0 when key.Length == 1 => null,
        (byte)TimelineKind.Conversation or (byte)TimelineKind.User => new TimelineKey((TimelineKind)key[0], RecordBuffer.Utf8.GetString(key[1..])),
        _ => throw new InvalidDataException($"Unknown timeline kind {key[0]}."),
    };
}
