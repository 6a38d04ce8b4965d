using BlockStore.Providers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BlockStore;

/// <summary>Checks at start-up that <see cref="BlockStoreOptions.Provider"/> names a registered provider, and creates that provider.</summary>
internal sealed class ProviderNameValidator(IEnumerable<IBlockStoreProviderFactory> factories, BlockStoreConfiguration? configuration = null)
    : IValidateOptions<BlockStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, BlockStoreOptions options) =>
        Find(factories, options.Provider) is null
            ? ValidateOptionsResult.Fail(Unknown(factories, options.Provider, configuration))
            : ValidateOptionsResult.Success;

    /// <summary>Creates the provider that <see cref="BlockStoreOptions.Provider"/> names; an unknown name fails listing the registered ones.</summary>
    public static IBlockStoreProvider Create(IServiceProvider services)
    {
        BlockStoreOptions options = services.GetRequiredService<IOptions<BlockStoreOptions>>().Value;
        IEnumerable<IBlockStoreProviderFactory> factories = services.GetServices<IBlockStoreProviderFactory>();
        IBlockStoreProviderFactory factory = Find(factories, options.Provider)
            ?? throw new OptionsValidationException(Options.DefaultName, typeof(BlockStoreOptions), [Unknown(factories, options.Provider, services.GetService<BlockStoreConfiguration>())]);
        return factory.Create(services);
    }

    private static IBlockStoreProviderFactory? Find(IEnumerable<IBlockStoreProviderFactory> factories, string? name) =>
        factories.LastOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

    private static string Unknown(IEnumerable<IBlockStoreProviderFactory> factories, string? name, BlockStoreConfiguration? configuration) =>
        $"{configuration?.Path ?? BlockStoreOptions.SectionName}:{nameof(BlockStoreOptions.Provider)} is '{name}', which no registered provider is named; " +
        $"the registered providers are {string.Join(", ", factories.Select(static f => $"'{f.Name}'").Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal))}. " +
        "Register a provider package's provider (e.g. AddFileSystemProvider()) on the BlockStore builder.";
}
