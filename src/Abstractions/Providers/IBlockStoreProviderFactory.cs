namespace BlockStore.Providers;

/// <summary>A provider registered under a name, so that <c>BlockStore:Provider</c> can pick it at start-up.</summary>
/// <remarks>
/// A provider package registers one (for example <c>AddFileSystemProvider()</c>) as an enumerable singleton; the host creates the
/// provider of the factory whose <see cref="Name"/> matches <see cref="BlockStoreOptions.Provider"/>, ignoring case.
/// </remarks>
public interface IBlockStoreProviderFactory
{
    /// <summary>The provider's name in configuration, also the name of its settings sub-section (<c>Sqlite</c>, <c>File</c>).</summary>
    string Name { get; }

    /// <summary>Creates the provider with its settings resolved from <paramref name="services"/>.</summary>
    /// <param name="services">The application's services.</param>
    /// <returns>The provider.</returns>
    IBlockStoreProvider Create(IServiceProvider services);
}
