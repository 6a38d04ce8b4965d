using BlockStore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures BlockStore in a service collection; provider packages extend it with <c>UseSqlite</c>, <c>UseFileSystem</c>.</summary>
public interface IBlockStoreBuilder
{
    /// <summary>The service collection BlockStore is registered in.</summary>
    IServiceCollection Services { get; }

    /// <summary>Adds a configuration step for <see cref="BlockStoreOptions"/>.</summary>
    /// <param name="configure">The step.</param>
    /// <returns>This builder.</returns>
    IBlockStoreBuilder Configure(Action<BlockStoreOptions> configure);
}
