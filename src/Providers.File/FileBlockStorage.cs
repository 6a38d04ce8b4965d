using Microsoft.Win32.SafeHandles;

namespace BlockStore.Providers.File;

/// <summary>
/// Block bytes in fixed-capacity store files under <c>stores/</c>. Each file starts with a <see cref="FileHeader"/> (store id,
/// capacity) and never grows past <see cref="BlockStoreOptions.MaxCapacity"/>; blocks are appended after it and read back with
/// positional reads, so readers never wait for the writer. At most <see cref="MaxOpenStoreFiles"/> store files stay open.
/// </summary>
internal sealed partial class FileBlockStorage : IBlockStorage, IDisposable
{
    /// <summary>The most store files kept open at once; others are opened when read and closed as they fall out of use.</summary>
    internal const int MaxOpenStoreFiles = 16;

    private readonly string _directory;
    private readonly long _capacity;
    private readonly Durability _durability;
    private readonly Lock _writeLock = new();
    private readonly StoreHandles _handles = new(MaxOpenStoreFiles);
    private readonly RecordBuffer _record = new();
    private readonly SnapshotSource _freedSnapshot;

    /// <summary>The bytes freed in each store (see <see cref="ReleaseBlocksAsync"/>).</summary>
    private SnapshotLog _freed = null!;

    /// <summary>The stores by increasing id; replaced, never changed, when a store is added, so readers need no lock.</summary>
    private StoreFile[] _stores = [];

    private FileBlockStorage(string directory, long capacity, Durability durability)
    {
        _directory = directory;
        _capacity = capacity;
        _durability = durability;
        _freedSnapshot = WriteFreedSnapshot;
    }

    /// <summary>The largest block an empty store holds: the capacity less the header.</summary>
    public long MaxBlockSize => _capacity - FileHeader.Size;

    /// <summary>
    /// Opens every store file in <c>stores/</c> under <paramref name="dataDir"/>, checking its header (a store's used size is its
    /// file length), then loads the bytes freed in each from <c>meta/freed.snapshot|log</c> and deletes the files of stores whose
    /// blocks are all freed (a crash can stop a release before it deletes them).
    /// </summary>
    public static FileBlockStorage Open(string dataDir, long capacity, Durability durability, long snapshotThreshold)
    {
        string directory = Path.Combine(dataDir, FileLayout.StoresDir);
        PrivateFiles.CreateDirectory(directory);
        DurableFiles.DeleteLeftovers(directory);
        var storage = new FileBlockStorage(directory, capacity, durability);
        var stores = new List<StoreFile>();
        foreach (string path in Directory.EnumerateFiles(directory))
        {
            if (StoreFile.TryParse(Path.GetFileName(path), out long id))
            {
                stores.Add(CheckStore(path, id));
            }
        }

        stores.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        storage._stores = [.. stores];
        string metaDir = Path.Combine(dataDir, FileLayout.MetaDir);
        PrivateFiles.CreateDirectory(metaDir);
        try
        {
            storage._freed = SnapshotLog.Open(
                metaDir, FileLayout.FreedName, FileKind.FreedSnapshot, FileKind.FreedLog, durability, snapshotThreshold, storage.ReplayFreed);
            storage.Reclaim();
            return storage;
        }
        catch
        {
            storage.Dispose();
            throw;
        }
    }

    public ValueTask<IReadOnlyList<StoreInfo>> GetStoresAsync(CancellationToken cancellationToken = default)
    {
        StoreFile[] stores = Volatile.Read(ref _stores);
        var infos = new StoreInfo[stores.Length];
        for (int i = 0; i < stores.Length; i++)
        {
            infos[i] = stores[i].ToInfo();
        }

        return ValueTask.FromResult<IReadOnlyList<StoreInfo>>(infos);
    }

    public void Dispose()
    {
        lock (_writeLock)
        {
            _handles.Dispose();
            _freed?.Dispose();
            _record.Dispose();
        }
    }

    /// <summary>Checks a store file's header and size; it is opened again when first used.</summary>
    private static StoreFile CheckStore(string path, long id)
    {
        using (SafeFileHandle handle = DurableFiles.OpenExisting(path))
        {
            FileHeader header = FileHeader.Read(handle, path, FileKind.Store);
            if (header.Value != id)
            {
                throw FileHeader.Refuse(path, FileKind.Store, $"its header says it is store {header.Value}, its name says store {id}");
            }

            long length = RandomAccess.GetLength(handle);
            if (header.Capacity < FileHeader.Size || header.Capacity > BlockStoreLimits.MaxStoreCapacity || length > header.Capacity)
            {
                throw FileHeader.Refuse(path, FileKind.Store, $"it is {length} bytes long but its header gives a capacity of {header.Capacity}");
            }

            return new StoreFile(id, path, header.Capacity) { Used = length };
        }
    }
}
