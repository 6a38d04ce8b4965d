namespace BlockStore.Providers.File;

/// <summary>Puts and deletes that <see cref="SortedTable.Write"/> applies together, as one log record; a later change of a key wins.</summary>
internal sealed class SortedTableBatch
{
    private readonly List<KeyValuePair<byte[], byte[]?>> _changes = [];

    /// <summary>How many changes the batch holds.</summary>
    public int Count => _changes.Count;

    /// <summary>The changes in the order they were made; a null value deletes the key.</summary>
    internal IReadOnlyList<KeyValuePair<byte[], byte[]?>> Changes => _changes;

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>; both are copied.</summary>
    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        SortedRun.CheckRecord(key, value);
        _changes.Add(new(key.ToArray(), value.ToArray()));
    }

    /// <summary>Deletes <paramref name="key"/> (absent or not).</summary>
    public void Delete(ReadOnlySpan<byte> key)
    {
        SortedRun.CheckRecord(key, []);
        _changes.Add(new(key.ToArray(), null));
    }

    /// <summary>Forgets every change, so the batch can be filled again.</summary>
    public void Clear() => _changes.Clear();
}
