using BlockStore.Providers;
using BlockStore.Providers.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Selects the SQLite provider on an <see cref="IBlockStoreBuilder"/>.</summary>
public static class SqliteBlockStoreBuilderExtensions
{
    /// <summary>The provider's name in configuration (<c>BlockStore:Provider</c>) and the name of its sub-section.</summary>
    public const string ProviderName = "Sqlite";

    /// <summary>Stores the data set in one SQLite database under <c>DataDir</c>.</summary>
    /// <param name="builder">The BlockStore builder.</param>
    /// <param name="configure">Adjusts the SQLite settings; optional.</param>
    /// <returns>The builder.</returns>
    public static IBlockStoreBuilder UseSqlite(this IBlockStoreBuilder builder, Action<SqliteBlockStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<SqliteBlockStoreOptions>().ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteBlockStoreOptions>>(SqliteBlockStoreOptionsValidator.Default));
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        builder.Services.Replace(ServiceDescriptor.Singleton<IBlockStoreProvider>(
            static sp => new SqliteBlockStoreProvider(sp.GetRequiredService<IOptions<SqliteBlockStoreOptions>>().Value)));
        return builder;
    }

    /// <summary>Stores the data set in SQLite, with settings bound from <paramref name="configuration"/> (the <c>BlockStore:Sqlite</c> section).</summary>
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
}
