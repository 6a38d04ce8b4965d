namespace BlockStore.Providers;

/// <summary>Creates the directory of a data set, reporting a failure with the configuration key and path that caused it.</summary>
internal static class DataDirectory
{
    /// <summary>Creates <paramref name="path"/> and its parents, or throws <see cref="BlockStoreException"/> naming <paramref name="key"/> and the path.</summary>
    public static void Create(string path, string key)
    {
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new BlockStoreException($"The directory of {key} ('{path}') could not be created: {ex.Message}", ex);
        }
    }
}
