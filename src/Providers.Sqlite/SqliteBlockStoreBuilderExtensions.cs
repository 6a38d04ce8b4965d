using BlockStore.Providers;
using BlockStore.Providers.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the SQLite provider on an <see cref="IBlockStoreBuilder"/> and selects it.</summary>
public static class SqliteBlockStoreBuilderExtensions
{
    /// <summary>The provider's name in configuration (<c>BlockStore:Provider</c>) and the name of its sub-section.</summary>
    public const string ProviderName = "Sqlite";

    /// <summary>
    /// Registers the provider under <see cref="ProviderName"/> without selecting it, so that <c>BlockStore:Provider</c> can pick it;
    /// its settings bind from the <c>Sqlite</c> sub-section of the section BlockStore was added from. Registering twice is harmless.
    /// </summary>
    /// <param name="builder">The BlockStore builder.</param>
    /// <returns>The builder.</returns>
    public static IBlockStoreBuilder AddSqliteProvider(this IBlockStoreBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Services.Any(static d => d.ServiceType == typeof(IBlockStoreProviderFactory) && d.ImplementationType == typeof(Factory)))
        {
            return builder;
        }

        builder.Services.AddOptions<SqliteBlockStoreOptions>()
            .Configure<IServiceProvider>(static (options, services) => services.GetService<BlockStoreConfiguration>()?.ProviderSection(ProviderName).Bind(options))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SqliteBlockStoreOptions>>(static services => new SqliteBlockStoreOptionsValidator(
            services.GetService<BlockStoreConfiguration>()?.ProviderPath(ProviderName) ?? SqliteBlockStoreOptionsValidator.DefaultSectionPath));
        builder.Services.AddSingleton<IBlockStoreProviderFactory, Factory>();
        return builder;
    }

    /// <summary>Stores the data set in one SQLite database under <c>DataDir</c>.</summary>
    /// <param name="builder">The BlockStore builder.</param>
    /// <param name="configure">Adjusts the settings; optional.</param>
    /// <returns>The builder.</returns>
    public static IBlockStoreBuilder UseSqlite(this IBlockStoreBuilder builder, Action<SqliteBlockStoreOptions>? configure = null)
    {
        builder.AddSqliteProvider();
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        return builder.Configure(static o => o.Provider = ProviderName);
    }

    /// <summary>Selects the provider, with settings bound from <paramref name="configuration"/> (usually the <c>BlockStore:Sqlite</c> section).</summary>
    /// <param name="builder">The BlockStore builder.</param>
    /// <param name="configuration">The section holding <see cref="SqliteBlockStoreOptions"/>.</param>
    /// <returns>The builder.</returns>
    public static IBlockStoreBuilder UseSqlite(this IBlockStoreBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        builder.UseSqlite();
        builder.Services.Configure<SqliteBlockStoreOptions>(configuration);
        string sectionPath = configuration is IConfigurationSection section ? section.Path : SqliteBlockStoreOptionsValidator.DefaultSectionPath;
        builder.Services.Replace(ServiceDescriptor.Singleton<IValidateOptions<SqliteBlockStoreOptions>>(new SqliteBlockStoreOptionsValidator(sectionPath)));
        return builder;
    }

    /// <summary>Creates the provider with the settings bound for it.</summary>
    private sealed class Factory : IBlockStoreProviderFactory
    {
        public string Name => ProviderName;

        public IBlockStoreProvider Create(IServiceProvider services) =>
            new SqliteBlockStoreProvider(services.GetRequiredService<IOptions<SqliteBlockStoreOptions>>().Value);
    }
}
