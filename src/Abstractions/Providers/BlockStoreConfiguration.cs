using Microsoft.Extensions.Configuration;

namespace BlockStore.Providers;

/// <summary>The configuration section BlockStore was added from; provider packages bind their settings from its sub-section named after them.</summary>
/// <param name="section">The section, usually <c>BlockStore</c>.</param>
public sealed class BlockStoreConfiguration(IConfiguration section)
{
    /// <summary>The section BlockStore's options were bound from.</summary>
    public IConfiguration Section { get; } = section ?? throw new ArgumentNullException(nameof(section));

    /// <summary>The section's configuration path, for messages that name a key (<c>BlockStore</c> when it is the root).</summary>
    public string Path => Section is IConfigurationSection named ? named.Path : BlockStoreOptions.SectionName;

    /// <summary>The sub-section holding the settings of the provider named <paramref name="providerName"/>.</summary>
    /// <param name="providerName">The provider's name.</param>
    /// <returns>The sub-section (empty when absent).</returns>
    public IConfigurationSection ProviderSection(string providerName) => Section.GetSection(providerName);

    /// <summary>The configuration path of the provider's sub-section, e.g. <c>BlockStore:Sqlite</c>.</summary>
    /// <param name="providerName">The provider's name.</param>
    /// <returns>The path.</returns>
    public string ProviderPath(string providerName) => ConfigurationPath.Combine(Path, providerName);
}
