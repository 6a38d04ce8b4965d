namespace BlockStore.Providers.File;

/// <summary>
/// The timeline index on disk: block records in <c>meta/timelines.blocks</c> (see <see cref="BlockIndexFile"/>), one chain per
/// timeline, and the key directory (each timeline's newest block record and totals, plus the data set's totals) in the sorted
/// table <c>meta/directory.table</c> plus <c>meta/directory.log</c> (see <see cref="SortedTable"/>). Memory holds the table's
/// page index and its recent changes, never an entry per timeline nor a timeline's block list. The journal of open blocks is in
/// <c>journal/</c> (see <see cref="FileJournal"/>); its trim point is one of the totals, so recording blocks and dropping the
/// journal prefix they cover is one durable table write.
/// </summary>
internal sealed partial class FileTimelineRepository : ITimelineRepository, IDisposable
{
    private readonly Lock _lock = new();
    private readonly string _metaDir;
    private readonly Durability _durability;
    private BlockIndexFile _index = null!;
    private SortedTable _directory = null!;
    private FileJournal _journal = null!;

    private FileTimelineRepository(string metaDir, Durability durability)
    {
        _metaDir = metaDir;
        _durability = durability;
    }

    /// <summary>
    /// Opens the block index and the key directory in <c>meta/</c> (migrating the metadata of a data set written before the
    /// directory table existed), then opens the journal in <c>journal/</c> and trims what the metadata already covers.
    /// </summary>
    public static FileTimelineRepository Open(string dataDir, Durability durability, FileBlockStoreOptions options)
    {
        string metaDir = Path.Combine(dataDir, FileLayout.MetaDir);
        PrivateFiles.CreateDirectory(metaDir);
        DurableFiles.DeleteLeftovers(metaDir);
        var repository = new FileTimelineRepository(metaDir, durability);
        try
        {
            repository._index = BlockIndexFile.Open(Path.Combine(metaDir, FileLayout.TimelineBlocksFile), durability);
            repository._directory = SortedTable.Open(
                metaDir, FileLayout.DirectoryName, FileKind.DirectoryTable, FileKind.DirectoryLog, durability, options.SnapshotThresholdBytes);
            repository.MigrateLegacy();
            repository.LoadTotals();
            repository._journal = FileJournal.Open(Path.Combine(dataDir, FileLayout.JournalDir), durability, options.JournalSegmentBytes, repository._totals.KeepFrom);
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
            _directory?.Dispose();
            _index?.Dispose();
        }
    }

    /// <summary>The directory entry of <paramref name="key"/>, or null when the timeline is not registered.</summary>
    private DirectoryEntry? Lookup(TimelineKey key)
    {
        byte[]? value = _directory.Get(DirectoryKeys.Encode(key));
        return value is null ? null : DecodeEntry(key, value);
    }

    private DirectoryEntry DecodeEntry(TimelineKey key, ReadOnlySpan<byte> value)
    {
        try
        {
            return DirectoryEntry.Decode(value);
        }
        catch (InvalidDataException ex)
        {
            throw new BlockStoreException(
                $"The BlockStore key directory '{_directory.RunPath}' cannot be used: the entry of the {key.Kind} timeline '{key.Id}' is invalid ({ex.Message}).", ex);
        }
    }

    /// <summary>Writes the timelines of a data set written before the directory table existed into the table, once.</summary>
    /// <remarks>
    /// The old files are deleted only after the new run is in place; a run in place means the migration is done (a crash before
    /// the deletion leaves old files that the next open just deletes). Block lists of a data set written before the block index
    /// existed are first written into the block index; a crash before the run is in place writes them again, as garbage.
    /// </remarks>
    private void MigrateLegacy()
    {
        if (!LegacyTimelineMetadata.Exists(_metaDir))
        {
            return;
        }

        if (!System.IO.File.Exists(_directory.RunPath))
        {
            LegacyTimelineMetadata legacy = LegacyTimelineMetadata.Load(_metaDir, _durability);
            MigrateBlockLists(legacy);
            var totals = new DirectoryTotals(legacy.KeepFrom, 0, 0, 0, 0, legacy.MaxSeqId, legacy.MaxTimestamp);
            var records = new List<KeyValuePair<byte[], byte[]>>(legacy.Timelines.Count + 1);
            foreach ((TimelineKey key, DirectoryEntry entry) in legacy.Timelines)
            {
                totals = totals.Counted(key, entry, +1);
                records.Add(new(DirectoryKeys.Encode(key), entry.Encode()));
            }

            records.Add(new(DirectoryKeys.Totals.ToArray(), totals.Encode()));
            records.Sort(static (a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
            _directory.Rewrite(records);
        }

        LegacyTimelineMetadata.Delete(_metaDir, _durability);
    }
}
