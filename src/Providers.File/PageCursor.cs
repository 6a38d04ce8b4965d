using System.Buffers.Binary;

namespace BlockStore.Providers.File;

/// <summary>Walks the records of a <see cref="SortedRun"/> page held in a buffer, in key order.</summary>
internal struct PageCursor(byte[] page, int count)
{
    private int _next = SortedRun.PageHeaderSize;
    private int _remaining = count;
    private int _keyStart;
    private int _keyLength;
    private int _valueLength;

    /// <summary>The current record's key.</summary>
    public readonly ReadOnlySpan<byte> Key => page.AsSpan(_keyStart, _keyLength);

    /// <summary>The current record's value.</summary>
    public readonly ReadOnlySpan<byte> Value => page.AsSpan(_keyStart + _keyLength, _valueLength);

    /// <summary>Moves to the next record; false at the end of the page or when a record would run past it.</summary>
    public bool MoveNext()
    {
        if (_remaining == 0 || _next + SortedRun.RecordHeaderSize > SortedRun.PageSize)
        {
            return false;
        }

        int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(page.AsSpan(_next));
        int valueLength = BinaryPrimitives.ReadUInt16LittleEndian(page.AsSpan(_next + 2));
        int start = _next + SortedRun.RecordHeaderSize;
        if (keyLength == 0 || start + keyLength + valueLength > SortedRun.PageSize)
        {
            return false;
        }

        (_keyStart, _keyLength, _valueLength) = (start, keyLength, valueLength);
        _next = start + keyLength + valueLength;
        _remaining--;
        return true;
    }
}
