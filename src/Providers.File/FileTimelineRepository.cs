namespace BlockStore.Providers.File;

/// <summary>
/// Timeline metadata in <c>meta/timelines.snapshot</c> plus <c>meta/timelines.log</c> (see <see cref="SnapshotLog"/>), held in
/// memory to answer the loads; the journal of open blocks in <c>journal/</c> (see <see cref="FileJournal"/>). The journal's trim
/// point is part of the metadata, so recording blocks and dropping the journal prefix they cover is one durable record.
/// </summary>
internal sealed partial class FileTimelineRepository : ITimelineRepository, IDisposable
{
    private readonly Lock _lock = new();

    /// <summary>Every registered timeline and its sealed blocks by <see cref="BlockEntry.FirstSeqId"/>; null while it has none.</summary>
    private readonly Dictionary<TimelineKey, List<BlockEntry>?> _timelines = [];
    private readonly RecordBuffer _record = new();
    private readonly SnapshotSource _snapshotSource;
    private SnapshotLog _metadata = null!;
    private FileJournal _journal = null!;

    /// <summary>The smallest journal record id still needed; records below it are covered by sealed blocks.</summary>
    private long _keepFrom;

    private FileTimelineRepository() => _snapshotSource = WriteSnapshot;

    /// <summary>Loads the metadata from <c>meta/</c>, then opens the journal in <c>journal/</c> and trims what the metadata already covers.</summary>
    public static FileTimelineRepository Open(string dataDir, Durability durability, FileBlockStoreOptions options)
    {
        string metaDir = Path.Combine(dataDir, FileLayout.MetaDir);
        PrivateFiles.CreateDirectory(metaDir);
        DurableFiles.DeleteLeftovers(metaDir);
        var repository = new FileTimelineRepository();
        try
        {
            repository._metadata = SnapshotLog.Open(
                metaDir, FileLayout.TimelinesName, FileKind.TimelineSnapshot, FileKind.TimelineLog, durability, options.SnapshotThresholdBytes, repository.Replay);
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
            _record.Dispose();
        }
    }
}
