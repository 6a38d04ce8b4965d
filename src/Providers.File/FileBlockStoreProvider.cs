using Microsoft.Extensions.Options;

namespace BlockStore.Providers.File;

/// <summary>Opens BlockStore data sets kept as plain files under <see cref="BlockStoreOptions.DataDir"/>: store files, a journal, metadata and checkpoint logs.</summary>
/// <remarks>
/// Layout: <c>blockstore.lock</c> (ownership), <c>blockstore.format</c> (provider and format), <c>stores/store-NNNNNN.dat</c> (block bytes), <c>journal/&lt;first id&gt;.log</c>
/// (open blocks), <c>meta/timelines.blocks</c> (the StoreIndex of every sealed block, chained per timeline),
/// <c>meta/directory.table|log</c> (the key directory, a sorted table: each timeline's newest block, and the totals), <c>meta/checkpoints.snapshot|log</c>
/// and <c>meta/freed.snapshot|log</c> (the bytes of freed blocks, zeroed in place, per store).
/// No conversation or user id ever becomes part of a file name. On Unix directories are created 0700 and files 0600.
/// </remarks>
public sealed class FileBlockStoreProvider : IBlockStoreProvider
{
    /// <summary>The name of the lock file inside <see cref="BlockStoreOptions.DataDir"/>, the same for every provider.</summary>
    public const string LockFileName = DataDirectory.LockFileName;

    /// <summary>
    /// The version of this provider's layout, recorded in the DataDir (3: the key directory in a sorted table on disk; 2 (the key
    /// directory replayed into memory from a snapshot and a log) and 1 (block lists in the metadata log) are migrated on open).
    /// </summary>
    private const int DataSetFormat = 3;

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
    public async ValueTask<IBlockStoreSession> OpenAsync(BlockStoreOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.MaxCapacity, (long)FileHeader.Size, "BlockStore:MaxCapacity");
        ValidateOptionsResult validation = FileBlockStoreOptionsValidator.Default.Validate(null, _fileOptions);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(FileBlockStoreOptions), validation.Failures);
        }

        cancellationToken.ThrowIfCancellationRequested();

        DataDirectory dataDirectory = await DataDirectory.OpenAsync(
            options.DataDir, "BlockStore:DataDir", Name, DataSetFormat, options, DurableFiles.SyncDirectory, cancellationToken).ConfigureAwait(false);
        string dataDir = dataDirectory.FullPath;
        FileBlockStorage? blocks = null;
        FileTimelineRepository? timelines = null;
        FileCheckpointStore? checkpoints = null;
        FileInboxStore? inbox = null;
        try
        {
            blocks = FileBlockStorage.Open(dataDir, options.MaxCapacity, options.Durability, _fileOptions.SnapshotThresholdBytes);
            timelines = FileTimelineRepository.Open(dataDir, options.Durability, _fileOptions);
            checkpoints = FileCheckpointStore.Open(dataDir, options.Durability, _fileOptions.SnapshotThresholdBytes);
            inbox = FileInboxStore.Open(dataDir, options.Durability, _fileOptions.SnapshotThresholdBytes);
            DurableFiles.SyncDirectory(dataDir, options.Durability);
            return new FileBlockStoreSession(dataDirectory, blocks, timelines, checkpoints, inbox);
        }
        catch
        {
            inbox?.Dispose();
            checkpoints?.Dispose();
            timelines?.Dispose();
            blocks?.Dispose();
            dataDirectory.Dispose();
            throw;
        }
    }
}
