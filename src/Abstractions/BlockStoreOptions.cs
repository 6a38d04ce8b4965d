namespace BlockStore;

/// <summary>The settings of a BlockStore data set (the <c>BlockStore</c> configuration section).</summary>
public sealed class BlockStoreOptions
{
    /// <summary>The configuration section these options bind from by convention.</summary>
    public const string SectionName = "BlockStore";

    /// <summary>
    /// The name of the registered provider that stores the data set (<c>Sqlite</c>, or the name a provider package registered, such
    /// as <c>File</c> or <c>Postgres</c>); a provider chosen in code (<c>UseSqlite</c>, <c>UseFileSystem</c>) sets it. Default: <c>Sqlite</c>.
    /// </summary>
    public string Provider { get; set; } = "Sqlite";

    /// <summary>The name of the data set inside a database that holds many (server providers such as PostgreSQL); DataDir providers ignore it. Default: <c>default</c>.</summary>
    public string DataSet { get; set; } = "default";

    /// <summary>The directory holding the data set. Default: <c>data</c>.</summary>
    public string DataDir { get; set; } = "data";

    /// <summary>The most bytes one store may hold, header included. Default: 67,108,864 (64 MiB).</summary>
    public long MaxCapacity { get; set; } = 64L * 1024 * 1024;

    /// <summary>The most entries one block may hold before it is sealed. Default: 100.</summary>
    public int TimelineMaxSize { get; set; } = 100;

    /// <summary>The most encoded bytes one block may hold before it is sealed. Default: 1,048,576 (1 MiB).</summary>
    public int MaxBlockBytes { get; set; } = 1024 * 1024;

    /// <summary>The largest message body accepted, in bytes. Default: 65,536.</summary>
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>How long an idempotency key is remembered after its message was stored. Default: 24 hours.</summary>
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// The most idempotency keys remembered; past it (or past a quarter of <see cref="JournalMaxBytes"/> of keys) the oldest are
    /// forgotten before their window ends. Default: 100,000.
    /// </summary>
    public int IdempotencyMaxKeys { get; set; } = 100_000;

    /// <summary>The most recipients (<c>userIds</c> entries) one message may name. Default: 10,000.</summary>
    public int MaxRecipients { get; set; } = 10_000;

    /// <summary>How sealed block payloads are compressed on disk. Default: <see cref="BlockCompression.Zstd"/>.</summary>
    public BlockCompression Compression { get; set; } = BlockCompression.Zstd;

    /// <summary>The Zstandard level used when <see cref="Compression"/> is <see cref="BlockCompression.Zstd"/>, from 1 (fastest) to 19 (smallest). Default: 1 (measured on chat-like text: within 1% of level 3's size at two thirds of its time).</summary>
    public int CompressionLevel { get; set; } = 1;

    /// <summary>When a write is acknowledged. Default: <see cref="BlockStore.Durability.Full"/>.</summary>
    public Durability Durability { get; set; } = Durability.Full;

    /// <summary>The byte budget of the cache of decoded sealed blocks. Default: 67,108,864 (64 MiB).</summary>
    public long CacheSizeBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// The byte budget of the timeline working set: the metadata of recently used timelines kept in memory (a few hundred bytes
    /// each); colder ones are evicted and looked up in the provider's index when used again. Default: 67,108,864 (64 MiB, about
    /// 200,000 timelines, enough for the active part of a 1,000,000-user data set on a small server).
    /// </summary>
    public long TimelineCacheBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>The journal size past which the oldest open blocks are sealed so the journal can be trimmed. Default: 67,108,864 (64 MiB).</summary>
    public long JournalMaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>The byte budget of all open blocks together; past it the oldest are sealed early. Default: 67,108,864 (64 MiB).</summary>
    public long OpenBlocksMaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>How long a block may stay open before it is sealed even if not full. Default: 10 minutes.</summary>
    public TimeSpan OpenBlockMaxAge { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The most write requests the writer loop commits together in one group commit. Default: 4,096.</summary>
    public int MaxGroupCommit { get; set; } = 4096;

    /// <summary>The most messages a watch buffers for a slow consumer before it falls back to reading storage. Default: 1,024.</summary>
    public int WatchBufferSize { get; set; } = 1024;

    /// <summary>How long a data set opened through <see cref="IMessageStoreFactory"/> stays open without a call before it is closed. Default: 5 minutes.</summary>
    public TimeSpan DataSetIdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long messages are kept (<c>BlockStore:Retention:*</c>).</summary>
    public RetentionOptions Retention { get; set; } = new();

    /// <summary>When and how fast background compaction runs (<c>BlockStore:Compaction:*</c>).</summary>
    public CompactionOptions Compaction { get; set; } = new();

    /// <summary>How long opening keeps retrying while another instance owns the data set before it throws <see cref="StoreLockedException"/>. Default: zero (fail at once).</summary>
    public TimeSpan LockWaitTimeout { get; set; } = TimeSpan.Zero;
}
