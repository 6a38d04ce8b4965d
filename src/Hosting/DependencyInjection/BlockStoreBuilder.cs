using BlockStore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The <see cref="IBlockStoreBuilder"/> returned by <c>AddBlockStore</c>.</summary>
internal sealed class BlockStoreBuilder(IServiceCollection services) : IBlockStoreBuilder
{
    public IServiceCollection Services { get; } = services;

    public IBlockStoreBuilder Configure(Action<BlockStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(configure);
        return this;
    }
}
