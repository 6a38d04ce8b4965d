using BlockStore.Tests.Contract;
using BlockStore.Tests.Providers.FileSystem;
using BlockStore.Tests.Providers.Sqlite;

namespace BlockStore.Tests;

/// <summary>The fixtures of every provider that keeps its data set in a DataDir, for tests that need a provider other than their own.</summary>
public static class KnownProviders
{
    public static IReadOnlyList<IProviderFixture> All { get; } = [new SqliteFixture(), new FileFixture()];

    /// <summary>A provider other than <paramref name="fixture"/>'s.</summary>
    public static IProviderFixture OtherThan(IProviderFixture fixture) => All.First(other => other.Name != fixture.Name);
}
