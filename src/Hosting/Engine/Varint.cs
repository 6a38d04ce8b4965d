namespace BlockStore.Engine;

/// <summary>Unsigned LEB128 integers (7 bits per byte, low bits first, high bit set on every byte but the last), at most 10 bytes.</summary>
internal static class Varint
{
    /// <summary>The longest encoding of a 64-bit value.</summary>
    public const int MaxLength = 10;

    /// <summary>The longest encoding of a 32-bit value.</summary>
    public const int MaxLength32 = 5;

    public static int Size(ulong value)
    {
        int size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    public static int Write(Span<byte> destination, ulong value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Reads a value; false when <paramref name="source"/> ends inside it or it is longer than 10 bytes or overflows 64 bits.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out ulong value, out int length)
    {
        value = 0;
        for (int i = 0; i < MaxLength && i < source.Length; i++)
        {
            byte b = source[i];
            if (i == MaxLength - 1 && b > 1)
            {
                break;
            }

            value |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                length = i + 1;
                return true;
            }
        }

        length = 0;
        return false;
    }
}
