namespace BlockStore.Providers.File;

/// <summary>
/// The timeline index on disk: block records in <c>meta/timelines.blocks</c> (see <see cref="BlockIndexFile"/>), one chain per
/// timeline, and the key directory (each timeline's newest block record and totals) in <c>meta/timelines.snapshot</c> plus
/// <c>meta/timelines.log</c> (see <see cref="SnapshotLog"/>), replayed into memory at open. Memory holds the directory only,
/// never a timeline's block list. The journal of open blocks is in <c>journal/</c> (see <see cref="FileJournal"/>); its trim
/// point is part of the metadata, so recording blocks and dropping the journal prefix they cover is one durable record.
/// </summary>
internal sealed partial class FileTimelineRepository : ITimelineRepository, IDisposable
{
    private readonly Lock _lock = new();

    /// <summary>Every registered timeline and where its block chain starts.</summary>
    private readonly Dictionary<TimelineKey, DirectoryEntry> _timelines = [];
    private readonly RecordBuffer _record = new();
    private readonly SnapshotSource _snapshotSource;
    private BlockIndexFile _index = null!;
    private SnapshotLog _metadata = null!;
    private FileJournal _journal = null!;

    /// <summary>The block lists of a data set written before the block index existed, gathered while its log is replayed, then migrated.</summary>
    private Dictionary<TimelineKey, List<BlockEntry>>? _legacy;

    /// <summary>The smallest journal record id still needed; records below it are covered by sealed blocks.</summary>
    private long _keepFrom;

    private FileTimelineRepository() => _snapshotSource = WriteSnapshot;

    /// <summary>
    /// Opens the block index and loads the key directory from <c>meta/</c> (migrating a data set written before the block index
    /// existed), then opens the journal in <c>journal/</c> and trims what the metadata already covers.
    /// </summary>
    public static FileTimelineRepository Open(string dataDir, Durability durability, FileBlockStoreOptions options)
    {
        string metaDir = Path.Combine(dataDir, FileLayout.MetaDir);
        PrivateFiles.CreateDirectory(metaDir);
        DurableFiles.DeleteLeftovers(metaDir);
        var repository = new FileTimelineRepository();
        try
        {
            repository._index = BlockIndexFile.Open(Path.Combine(metaDir, FileLayout.TimelineBlocksFile), durability);
            repository._metadata = SnapshotLog.Open(
                metaDir, FileLayout.TimelinesName, FileKind.TimelineSnapshot, FileKind.TimelineLog, durability, options.SnapshotThresholdBytes, repository.Replay);
            repository.MigrateLegacy();
            repository._journal = FileJournal.Open(Path.Combine(dataDir, FileLayout.JournalDir), durability, options.JournalSegmentBytes, repository._keepFrom);
            return repository;
        }
        catch
        {
            repository.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _journal?.Dispose();
            _metadata?.Dispose();
            _index?.Dispose();
            _record.Dispose();
        }
    }
}
