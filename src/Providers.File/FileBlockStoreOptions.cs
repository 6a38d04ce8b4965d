namespace BlockStore.Providers.File;

/// <summary>Settings of the file-system provider (the <c>BlockStore:File</c> configuration section).</summary>
public sealed class FileBlockStoreOptions
{
    /// <summary>The size in bytes at which the journal starts a new segment file. Default: 16,777,216 (16 MiB).</summary>
    public long JournalSegmentBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// The size in bytes past which the key directory's and the inbox index's logs are merged into their sorted tables (sooner while a
    /// table is smaller than this) and the checkpoint and freed-space logs are folded into snapshots; memory holds the tables' unmerged
    /// changes. Default: 8,388,608 (8 MiB).
    /// </summary>
    public long SnapshotThresholdBytes { get; set; } = 8L * 1024 * 1024;
}
