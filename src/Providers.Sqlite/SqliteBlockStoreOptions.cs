namespace BlockStore.Providers.Sqlite;

/// <summary>Settings of the SQLite provider (the <c>BlockStore:Sqlite</c> configuration section).</summary>
public sealed class SqliteBlockStoreOptions
{
    /// <summary>The database file name inside <see cref="BlockStoreOptions.DataDir"/>, without directories. Default: <c>blockstore.db</c>.</summary>
    public string FileName { get; set; } = "blockstore.db";

    /// <summary>A full connection string instead of <see cref="FileName"/>; its data source must be a file, whose directory is then the data set's DataDir. Default: none.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>SQLite's page cache per connection, in KiB (0 to 4,194,304). Default: 16,384 (16 MiB).</summary>
    public int PageCacheKib { get; set; } = 16 * 1024;
}
