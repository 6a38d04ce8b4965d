using BlockStore.Providers;
using BlockStore.Providers.File;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Selects the file-system provider on an <see cref="IBlockStoreBuilder"/>.</summary>
public static class FileBlockStoreBuilderExtensions
{
    /// <summary>The provider's name in configuration (<c>BlockStore:Provider</c>) and the name of its sub-section.</summary>
    public const string ProviderName = "File";

    /// <summary>Stores the data set as plain files under <c>DataDir</c>.</summary>
    /// <param name="builder">The BlockStore builder.</param>
    /// <param name="configure">Adjusts the file-system settings; optional.</param>
    /// <returns>The builder.</returns>
    public static IBlockStoreBuilder UseFileSystem(this IBlockStoreBuilder builder, Action<FileBlockStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<FileBlockStoreOptions>().ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FileBlockStoreOptions>>(FileBlockStoreOptionsValidator.Default));
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        builder.Services.Replace(ServiceDescriptor.Singleton<IBlockStoreProvider>(
            static sp => new FileBlockStoreProvider(sp.GetRequiredService<IOptions<FileBlockStoreOptions>>().Value)));
        return builder;
    }

    /// <summary>Stores the data set as plain files, with settings bound from <paramref name="configuration"/> (the <c>BlockStore:File</c> section).</summary>
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
}
