using BlockStore.Providers;
using BlockStore.Providers.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the PostgreSQL provider on an <see cref="IBlockStoreBuilder"/> and selects it.</summary>
public static class PostgresBlockStoreBuilderExtensions
{
    /// <summary>The provider's name in configuration (<c>BlockStore:Provider</c>) and the name of its sub-section.</summary>
    public const string ProviderName = "Postgres";

    /// <summary>
    /// Registers the provider under <see cref="ProviderName"/> without selecting it, so that <c>BlockStore:Provider</c> can pick it;
    /// its settings bind from the <c>Postgres</c> sub-section of the section BlockStore was added from. Registering twice is harmless.
    /// </summary>
    /// <param name="builder">The BlockStore builder.</param>
    /// <returns>The builder.</returns>
    public static IBlockStoreBuilder AddPostgresProvider(this IBlockStoreBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Services.Any(static d => d.ServiceType == typeof(IBlockStoreProviderFactory) && d.ImplementationType == typeof(Factory)))
        {
            return builder;
        }

        builder.Services.AddOptions<PostgresBlockStoreOptions>()
            .Configure<IServiceProvider>(static (options, services) => services.GetService<BlockStoreConfiguration>()?.ProviderSection(ProviderName).Bind(options))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PostgresBlockStoreOptions>>(static services => new PostgresBlockStoreOptionsValidator(
            services.GetService<BlockStoreConfiguration>()?.ProviderPath(ProviderName) ?? PostgresBlockStoreOptionsValidator.DefaultSectionPath,
            () => IsSelected(services)));
        builder.Services.AddSingleton<IBlockStoreProviderFactory, Factory>();
        return builder;
    }

    /// <summary>Stores the data set, named by <c>BlockStore:DataSet</c>, in a PostgreSQL database that many data sets and instances share.</summary>
    /// <param name="builder">The BlockStore builder.</param>
    /// <param name="configure">Adjusts the settings; optional.</param>
    /// <returns>The builder.</returns>
    public static IBlockStoreBuilder UsePostgres(this IBlockStoreBuilder builder, Action<PostgresBlockStoreOptions>? configure = null)
    {
        builder.AddPostgresProvider();
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        return builder.Configure(static o => o.Provider = ProviderName);
    }

    /// <summary>Selects the provider, with settings bound from <paramref name="configuration"/> (usually the <c>BlockStore:Postgres</c> section).</summary>
    /// <param name="builder">The BlockStore builder.</param>
    /// <param name="configuration">The section holding <see cref="PostgresBlockStoreOptions"/>.</param>
    /// <returns>The builder.</returns>
    public static IBlockStoreBuilder UsePostgres(this IBlockStoreBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        builder.UsePostgres();
        builder.Services.Configure<PostgresBlockStoreOptions>(configuration);
        string sectionPath = configuration is IConfigurationSection section ? section.Path : PostgresBlockStoreOptionsValidator.DefaultSectionPath;
        builder.Services.Replace(ServiceDescriptor.Singleton<IValidateOptions<PostgresBlockStoreOptions>>(new PostgresBlockStoreOptionsValidator(sectionPath)));
        return builder;
    }

    /// <summary>Whether <c>BlockStore:Provider</c> (or code) selects this provider.</summary>
    private static bool IsSelected(IServiceProvider services) =>
        string.Equals(services.GetRequiredService<IOptions<BlockStore.BlockStoreOptions>>().Value.Provider, ProviderName, StringComparison.OrdinalIgnoreCase);

    /// <summary>Creates the provider with the settings bound for it.</summary>
    private sealed class Factory : IBlockStoreProviderFactory
    {
        public string Name => ProviderName;

        public IBlockStoreProvider Create(IServiceProvider services) =>
            new PostgresBlockStoreProvider(services.GetRequiredService<IOptions<PostgresBlockStoreOptions>>().Value);
    }
}
