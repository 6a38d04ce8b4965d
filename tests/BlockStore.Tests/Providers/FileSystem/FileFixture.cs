using BlockStore.Providers;
using BlockStore.Providers.File;
using BlockStore.Tests.Contract;

namespace BlockStore.Tests.Providers.FileSystem;

/// <summary>Runs the contract suite on the file-system provider.</summary>
public sealed class FileFixture : IProviderFixture
{
    public string Name => "File";

    public IBlockStoreProvider CreateProvider() => new FileBlockStoreProvider(new FileBlockStoreOptions());

    public void DamageBlock(string dataDir, StoreIndex location, int index, byte mask)
    {
        string path = Path.Combine(dataDir, FileLayout.StoresDir, StoreFile.FileName(location.StoreId));
        using FileStream file = new(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = location.Offset + index;
        int original = file.ReadByte();
        file.Position = location.Offset + index;
        file.WriteByte((byte)(original ^ mask));
    }
}
