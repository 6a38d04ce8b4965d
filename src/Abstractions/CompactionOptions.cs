namespace BlockStore;

/// <summary>When and how fast background compaction runs (the <c>BlockStore:Compaction</c> section).</summary>
public sealed class CompactionOptions
{
    /// <summary>How often background compaction runs; null turns it off (<see cref="IMessageStore.CompactAsync"/> still runs on demand). Default: 1 hour.</summary>
    public TimeSpan? Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The most block bytes background compaction reads and writes per second, so it leaves the disk to the application. Default: 33,554,432 (32 MiB).</summary>
    public long BytesPerSecond { get; set; } = 32L * 1024 * 1024;
}
