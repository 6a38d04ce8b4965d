namespace BlockStore.Providers.File;

/// <summary>The names of the folders and files inside a File data set's DataDir, in one place.</summary>
internal static class FileLayout
{
    /// <summary>The folder of the store files (<c>store-NNNNNN.dat</c>).</summary>
    public const string StoresDir = "stores";

    /// <summary>The folder of the journal segments (<c>&lt;first id&gt;.log</c>).</summary>
    public const string JournalDir = "journal";

    /// <summary>The folder of the timeline metadata and checkpoint logs and snapshots.</summary>
    public const string MetaDir = "meta";

    /// <summary>The base name of the key directory table and its log in <see cref="MetaDir"/> (see <c>SortedTable</c>).</summary>
    public const string DirectoryName = "directory";

    /// <summary>The base name of the timeline metadata log and snapshot in <see cref="MetaDir"/> of data sets written before the key directory table, migrated on open.</summary>
    public const string TimelinesName = "timelines";

    /// <summary>The file in <see cref="MetaDir"/> holding the block records of every timeline (see <c>BlockIndexFile</c>).</summary>
    public const string TimelineBlocksFile = "timelines.blocks";

    /// <summary>The base name of the checkpoint log and snapshot in <see cref="MetaDir"/>.</summary>
    public const string CheckpointsName = "checkpoints";

    /// <summary>The base name of the log and snapshot in <see cref="MetaDir"/> of the bytes freed in each store.</summary>
    public const string FreedName = "freed";

    /// <summary>The base name of the inbox log and snapshot of the earlier format in <see cref="MetaDir"/>, converted once at open.</summary>
    public const string InboxName = "inbox";

    /// <summary>The base name of the inbox index's sorted table (<c>.table</c> and <c>.log</c>) in <see cref="MetaDir"/>.</summary>
    public const string InboxTableName = "inbox-index";
}
