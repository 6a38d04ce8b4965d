using Microsoft.Extensions.DependencyInjection;
using BlockStore.Providers;

namespace BlockStore.Tests.Contract;

/// <summary>What the shared contract suite needs of a provider: a way to create it, in code and through DI.</summary>
public interface IProviderFixture
{
    /// <summary>The provider's name as used in configuration.</summary>
    string Name { get; }

    /// <summary>Creates a provider instance for a non-DI open.</summary>
    IBlockStoreProvider CreateProvider();

    /// <summary>Selects the provider on a DI builder.</summary>
    void Use(IBlockStoreBuilder builder);

    /// <summary>Flips the bits of <paramref name="mask"/> in byte <paramref name="index"/> of the stored block at <paramref name="location"/>, behind the provider's back.</summary>
    void DamageBlock(string dataDir, StoreIndex location, int index, byte mask);
}
