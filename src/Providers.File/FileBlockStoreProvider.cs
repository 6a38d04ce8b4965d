namespace BlockStore.Providers.File;

/// <summary>Opens BlockStore data sets kept as plain files under <see cref="BlockStoreOptions.DataDir"/>: store files, a journal, metadata and checkpoint logs.</summary>
/// <remarks>
/// Layout: <c>blockstore.lock</c> (ownership), <c>stores/store-NNNNNN.dat</c> (block bytes), <c>journal/&lt;first id&gt;.log</c>
/// (open blocks), <c>meta/timelines.snapshot|log</c> (StoreIndex of sealed blocks) and <c>meta/checkpoints.snapshot|log</c>.
/// No conversation or user id ever becomes part of a file name.
/// </remarks>
public sealed class FileBlockStoreProvider : IBlockStoreProvider
{
    /// <summary>The name of the lock file inside <see cref="BlockStoreOptions.DataDir"/>.</summary>
    public const string LockFileName = "blockstore.lock";

    private const string Prefix = "BlockStore:File:";
    private readonly FileBlockStoreOptions _fileOptions;

    /// <summary>Creates the provider with its settings.</summary>
    /// <param name="options">The file-system settings.</param>
    public FileBlockStoreProvider(FileBlockStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _fileOptions = options;
    }

    /// <inheritdoc />
    public string Name => "File";

    /// <summary>1 GiB: a journal record is read back whole into one buffer, and no block can be larger than 1 GiB anyway.</summary>
    public long MaxPayloadBytes => 1L << 30;

    /// <inheritdoc />
    public ValueTask<IBlockStoreSession> OpenAsync(BlockStoreOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.MaxCapacity, (long)FileHeader.Size, "BlockStore:MaxCapacity");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_fileOptions.JournalSegmentBytes, Prefix + nameof(FileBlockStoreOptions.JournalSegmentBytes));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_fileOptions.SnapshotThresholdBytes, Prefix + nameof(FileBlockStoreOptions.SnapshotThresholdBytes));
        cancellationToken.ThrowIfCancellationRequested();

        string dataDir = Path.GetFullPath(options.DataDir);
        DataDirectory.Create(dataDir, "BlockStore:DataDir");
        DataSetLock fileLock = DataSetLock.Acquire(Path.Combine(dataDir, LockFileName), dataDir);
        FileBlockStorage? blocks = null;
        FileTimelineRepository? timelines = null;
        try
        {
            blocks = FileBlockStorage.Open(Path.Combine(dataDir, "stores"), options.MaxCapacity, options.Durability);
            timelines = FileTimelineRepository.Open(dataDir, options.Durability, _fileOptions);
            FileCheckpointStore checkpoints = FileCheckpointStore.Open(dataDir, options.Durability, _fileOptions.SnapshotThresholdBytes);
            DurableFiles.SyncDirectory(dataDir, options.Durability);
            return ValueTask.FromResult<IBlockStoreSession>(new FileBlockStoreSession(dataDir, fileLock, blocks, timelines, checkpoints));
        }
        catch
        {
            timelines?.Dispose();
            blocks?.Dispose();
            fileLock.Dispose();
            throw;
        }
    }
}
