using BlockStore.Providers;
using BlockStore.Providers.File;
using BlockStore.Tests.Contract;
using Microsoft.Extensions.DependencyInjection;

namespace BlockStore.Tests.FileProvider;

/// <summary>Runs the contract suite on the file-system provider.</summary>
public sealed class FileFixture : IProviderFixture
{
    public string Name => "File";

    public IBlockStoreProvider CreateProvider() => new FileBlockStoreProvider(new FileBlockStoreOptions());

    public void Use(IBlockStoreBuilder builder) => builder.UseFileSystem();
}
