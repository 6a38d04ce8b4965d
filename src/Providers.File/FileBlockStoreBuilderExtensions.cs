using BlockStore.Providers;
using BlockStore.Providers.File;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the file-system provider on an <see cref="IBlockStoreBuilder"/> and selects it.</summary>
public static class FileBlockStoreBuilderExtensions
{
    /// <summary>The provider's name in configuration (<c>BlockStore:Provider</c>) and the name of its sub-section.</summary>
    public const string ProviderName = "File";

    /// <summary>
    /// Registers the provider under <see cref="ProviderName"/> without selecting it, so that <c>BlockStore:Provider</c> can pick it;
    /// its settings bind from the <c>File</c> sub-section of the section BlockStore was added from. Registering twice is harmless.
    /// </summary>
    /// <param name="builder">The BlockStore builder.</param>
    /// <returns>The builder.</returns>
    public static IBlockStoreBuilder AddFileSystemProvider(this IBlockStoreBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Services.Any(static d => d.ServiceType == typeof(IBlockStoreProviderFactory) && d.ImplementationType == typeof(Factory)))
        {
            return builder;
        }

        builder.Services.AddOptions<FileBlockStoreOptions>()
            .Configure<IServiceProvider>(static (options, services) => services.GetService<BlockStoreConfiguration>()?.ProviderSection(ProviderName).Bind(options))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<FileBlockStoreOptions>>(static services => new FileBlockStoreOptionsValidator(
            services.GetService<BlockStoreConfiguration>()?.ProviderPath(ProviderName) ?? FileBlockStoreOptionsValidator.DefaultSectionPath));
        builder.Services.AddSingleton<IBlockStoreProviderFactory, Factory>();
        return builder;
    }

    /// <summary>Stores the data set as plain files under <c>DataDir</c>.</summary>
    /// <param name="builder">The BlockStore builder.</param>
    /// <param name="configure">Adjusts the settings; optional.</param>
    /// <returns>The builder.</returns>
    public static IBlockStoreBuilder UseFileSystem(this IBlockStoreBuilder builder, Action<FileBlockStoreOptions>? configure = null)
    {
        builder.AddFileSystemProvider();
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        return builder.Configure(static o => o.Provider = ProviderName);
    }

    /// <summary>Selects the provider, with settings bound from <paramref name="configuration"/> (usually the <c>BlockStore:File</c> section).</summary>
    /// <param name="builder">The BlockStore builder.</param>
    /// <param name="configuration">The section holding <see cref="FileBlockStoreOptions"/>.</param>
    /// <returns>The builder.</returns>
    public static IBlockStoreBuilder UseFileSystem(this IBlockStoreBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        builder.UseFileSystem();
        builder.Services.Configure<FileBlockStoreOptions>(configuration);
        string sectionPath = configuration is IConfigurationSection section ? section.Path : FileBlockStoreOptionsValidator.DefaultSectionPath;
        builder.Services.Replace(ServiceDescriptor.Singleton<IValidateOptions<FileBlockStoreOptions>>(new FileBlockStoreOptionsValidator(sectionPath)));
        return builder;
    }

    /// <summary>Creates the provider with the settings bound for it.</summary>
    private sealed class Factory : IBlockStoreProviderFactory
    {
        public string Name => ProviderName;

        public IBlockStoreProvider Create(IServiceProvider services) =>
            new FileBlockStoreProvider(services.GetRequiredService<IOptions<FileBlockStoreOptions>>().Value);
    }
}
