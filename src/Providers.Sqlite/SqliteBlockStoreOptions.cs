namespace BlockStore.Providers.Sqlite;

/// <summary>Settings of the SQLite provider (the <c>BlockStore:Sqlite</c> configuration section).</summary>
public sealed class SqliteBlockStoreOptions
{
    /// <summary>The database file name inside <see cref="BlockStoreOptions.DataDir"/>. Default: <c>blockstore.db</c>.</summary>
    public string FileName { get; set; } = "blockstore.db";

    /// <summary>A full connection string instead of <see cref="FileName"/>; its data source must be a file. Default: none.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>SQLite's page cache per connection, in KiB. Default: 16,384 (16 MiB).</summary>
    public int PageCacheKib { get; set; } = 16 * 1024;
}
