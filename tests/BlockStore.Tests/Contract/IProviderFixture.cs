using BlockStore.Providers;

namespace BlockStore.Tests.Contract;

/// <summary>What the shared contract suite needs of a provider: a way to create it and to damage its stored bytes.</summary>
public interface IProviderFixture
{
    /// <summary>The provider's name as used in configuration.</summary>
    string Name { get; }

    /// <summary>Creates a provider instance for a non-DI open.</summary>
    IBlockStoreProvider CreateProvider();

    /// <summary>Why the provider cannot run here (e.g. its server is not configured), or null when it can; its tests are then reported as skipped.</summary>
    string? SkipReason => null;

    /// <summary>Whether the data set lives in <c>DataDir</c> (File, SQLite) rather than in a server database.</summary>
    bool UsesDataDir => true;

    /// <summary>Environment variables the crash tests' child process needs to open the same data set.</summary>
    IReadOnlyDictionary<string, string> ChildEnvironment => new Dictionary<string, string>();

    /// <summary>Flips the bits of <paramref name="mask"/> in byte <paramref name="index"/> of the stored block at <paramref name="location"/>, behind the provider's back.</summary>
    void DamageBlock(string dataDir, StoreIndex location, int index, byte mask);

    /// <summary>
    /// Whether any byte sequence stored for the data set equals <paramref name="marker"/>: by default, in any file under
    /// <paramref name="dataDir"/> (the lock file, which holds no data and is locked while the data set is open, aside).
    /// </summary>
    bool StoredBytesContain(string dataDir, byte[] marker) =>
        Directory.Exists(dataDir)
        && Directory.EnumerateFiles(dataDir, "*", SearchOption.AllDirectories)
            .Where(static file => Path.GetFileName(file) != "blockstore.lock")
            .Any(file => File.ReadAllBytes(file).AsSpan().IndexOf(marker) >= 0);
}
