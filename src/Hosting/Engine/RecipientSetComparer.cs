namespace BlockStore.Engine;

/// <summary>Compares recipient sets by content (same ids in the same order), so a block stores each distinct set once.</summary>
internal sealed class RecipientSetComparer : IEqualityComparer<string[]>
{
    public static readonly RecipientSetComparer Instance = new();

    public bool Equals(string[]? x, string[]? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

    public int GetHashCode(string[] obj)
    {
        var hash = new HashCode();
        foreach (string id in obj)
        {
            hash.Add(id, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }
}
