using System.Diagnostics.Metrics;
using BlockStore;
using BlockStore.Engine;
using BlockStore.Providers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers BlockStore's <see cref="IMessageStore"/> (the default data set) and <see cref="IMessageStoreFactory"/> (any data set) in a service collection.</summary>
public static class BlockStoreServiceCollectionExtensions
{
    /// <summary>The configuration key that picks the provider among the registered ones (<c>Sqlite</c>, the default, is always registered).</summary>
    public const string ProviderKey = nameof(BlockStoreOptions.Provider);

    /// <summary>Adds BlockStore with default options on the SQLite provider, unless another registered provider is picked in code or configuration.</summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder to register and pick the provider and configure options.</returns>
    public static IBlockStoreBuilder AddBlockStore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<BlockStoreOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BlockStoreOptions>, BlockStoreOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BlockStoreOptions>, ProviderNameValidator>());
        services.TryAddSingleton(static sp => ProviderNameValidator.Create(sp));
        services.TryAddSingleton(static sp => new MemoryBudgets(sp.GetRequiredService<IOptions<BlockStoreOptions>>().Value));
        services.TryAddSingleton(static sp => new MessageStore(
            sp.GetRequiredService<IOptions<BlockStoreOptions>>(),
            sp.GetRequiredService<IBlockStoreProvider>(),
            sp.GetService<ILoggerFactory>(),
            sp.GetService<IMeterFactory>(),
            sp.GetRequiredService<MemoryBudgets>()));
        services.TryAddSingleton<IMessageStore>(static sp => sp.GetRequiredService<MessageStore>());
        services.TryAddSingleton(static sp => new MessageStoreFactory(
            sp.GetRequiredService<IOptions<BlockStoreOptions>>(),
            sp.GetRequiredService<IBlockStoreProvider>(),
            sp.GetService<ILoggerFactory>(),
            sp.GetRequiredService<MemoryBudgets>()));
        services.TryAddSingleton<IMessageStoreFactory>(static sp => sp.GetRequiredService<MessageStoreFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, BlockStoreHostedService>());
        return new BlockStoreBuilder(services).AddSqliteProvider();
    }

    /// <summary>Adds BlockStore and lets <paramref name="configure"/> pick the provider and options in code.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the builder, e.g. <c>b =&gt; b.UseSqlite().Configure(o =&gt; o.DataDir = "chat")</c>.</param>
    /// <returns>The builder.</returns>
    public static IBlockStoreBuilder AddBlockStore(this IServiceCollection services, Action<IBlockStoreBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        IBlockStoreBuilder builder = services.AddBlockStore();
        configure(builder);
        return builder;
    }

    /// <summary>
    /// Adds BlockStore configured from a section (usually <c>BlockStore</c>): its <c>Provider</c> key picks among the registered
    /// providers at start-up, and each provider binds its settings from the sub-section named after it.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding the options, with <c>Provider</c> and optional provider sub-sections.</param>
    /// <returns>The builder.</returns>
    public static IBlockStoreBuilder AddBlockStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        IBlockStoreBuilder builder = services.AddBlockStore();
        services.AddOptions<BlockStoreOptions>().Bind(configuration);
        services.Replace(ServiceDescriptor.Singleton(new BlockStoreConfiguration(configuration)));
        return builder;
    }
}
