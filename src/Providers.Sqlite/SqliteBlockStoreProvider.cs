using Microsoft.Data.Sqlite;

namespace BlockStore.Providers.Sqlite;

/// <summary>Opens BlockStore data sets kept in one SQLite database (WAL mode, <c>synchronous</c> from <see cref="BlockStoreOptions.Durability"/>).</summary>
public sealed class SqliteBlockStoreProvider : IBlockStoreProvider
{
    private const int MaxPageCacheKib = 4 * 1024 * 1024;

    private readonly SqliteBlockStoreOptions _sqliteOptions;

    /// <summary>Creates the provider with its settings.</summary>
    /// <param name="options">The SQLite settings.</param>
    public SqliteBlockStoreProvider(SqliteBlockStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _sqliteOptions = options;
    }

    /// <inheritdoc />
    public string Name => "Sqlite";

    /// <summary>SQLite's limit on a blob and on a whole row (<c>SQLITE_MAX_LENGTH</c>, 1,000,000,000 bytes), less room for the row's other columns.</summary>
    public long MaxPayloadBytes => 1_000_000_000 - 4096;

    /// <inheritdoc />
    public ValueTask<IBlockStoreSession> OpenAsync(BlockStoreOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(_sqliteOptions);
        var builder = _sqliteOptions.ConnectionString is { Length: > 0 } cs
            ? new SqliteConnectionStringBuilder(cs)
            : new SqliteConnectionStringBuilder { DataSource = Path.Combine(options.DataDir, _sqliteOptions.FileName) };
        builder.Mode = SqliteOpenMode.ReadWriteCreate;
        builder.Pooling = false;
        string path = Path.GetFullPath(builder.DataSource);
        builder.DataSource = path;
        DataDirectory.Create(Path.GetDirectoryName(path)!, _sqliteOptions.ConnectionString is { Length: > 0 } ? "BlockStore:Sqlite:ConnectionString" : "BlockStore:DataDir");

        DataSetLock fileLock = DataSetLock.Acquire(path + ".lock", path);
        SqliteDatabase? db = null;
        try
        {
            db = new SqliteDatabase(builder.ToString(), options.Durability, _sqliteOptions.PageCacheKib);
            var session = new SqliteBlockStoreSession(path, db, fileLock, options.MaxCapacity);
            return ValueTask.FromResult<IBlockStoreSession>(session);
        }
        catch
        {
            db?.Dispose();
            fileLock.Dispose();
            throw;
        }
    }

    /// <summary>Refuses settings that SQLite would reject with an unclear error, naming the configuration key.</summary>
    private static void Validate(SqliteBlockStoreOptions options)
    {
        const string Prefix = "BlockStore:Sqlite:";
        if (options.ConnectionString is not { Length: > 0 }
            && (string.IsNullOrWhiteSpace(options.FileName) || options.FileName != Path.GetFileName(options.FileName)))
        {
            throw new ArgumentException(
                $"{Prefix}{nameof(options.FileName)} must be a file name inside DataDir, without directories (was '{options.FileName}').", nameof(options));
        }

        if (options.PageCacheKib is < 0 or > MaxPageCacheKib)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), options.PageCacheKib, $"{Prefix}{nameof(options.PageCacheKib)} must be between 0 and {MaxPageCacheKib}.");
        }
    }
}
