using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace BlockStore.Providers.Sqlite;

/// <summary>Opens BlockStore data sets kept in one SQLite database (WAL mode, <c>synchronous</c> from <see cref="BlockStoreOptions.Durability"/>).</summary>
/// <remarks>
/// The directory of the database is the data set's DataDir: it holds the lock and format files every provider uses, and on Unix
/// it is created 0700 and the database, WAL and shared-memory files 0600.
/// </remarks>
public sealed class SqliteBlockStoreProvider : IBlockStoreProvider
{
    /// <summary>
    /// The version of this provider's layout, recorded in the DataDir (3: stores count their freed bytes, for compaction; 2: per-timeline
    /// totals, data-set totals and block indexes for the paged timeline index; older ones are migrated on open).
    /// </summary>
    private const int DataSetFormat = 3;

    /// <summary>
    /// The suffix of the lock file that earlier versions kept beside the database; while it exists it is held too, so an
    /// instance of an earlier version cannot open the database during a rolling upgrade.
    /// </summary>
    private const string LegacyLockSuffix = ".lock";

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
    public async ValueTask<IBlockStoreSession> OpenAsync(BlockStoreOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ValidateOptionsResult validation = SqliteBlockStoreOptionsValidator.Default.Validate(null, _sqliteOptions);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(SqliteBlockStoreOptions), validation.Failures);
        }

        var builder = _sqliteOptions.ConnectionString is { Length: > 0 } cs
            ? new SqliteConnectionStringBuilder(cs)
            : new SqliteConnectionStringBuilder { DataSource = Path.Combine(options.DataDir, _sqliteOptions.FileName) };
        builder.Mode = SqliteOpenMode.ReadWriteCreate;
        builder.Pooling = false;
        string path = Path.GetFullPath(builder.DataSource);
        builder.DataSource = path;

        DataDirectory dataDirectory = await DataDirectory.OpenAsync(
            Path.GetDirectoryName(path)!, _sqliteOptions.ConnectionString is { Length: > 0 } ? "BlockStore:Sqlite:ConnectionString" : "BlockStore:DataDir",
            Name, DataSetFormat, options, DirectorySync.Flush, cancellationToken).ConfigureAwait(false);
        DataSetLock? legacyLock = null;
        SqliteDatabase? db = null;
        try
        {
            if (File.Exists(path + LegacyLockSuffix))
            {
                legacyLock = await DataSetLock.AcquireAsync(path + LegacyLockSuffix, path, options.LockWaitTimeout, cancellationToken).ConfigureAwait(false);
            }

            CreatePrivate(path);
            db = new SqliteDatabase(builder.ToString(), options.Durability, _sqliteOptions.PageCacheKib);
            return new SqliteBlockStoreSession(path, db, dataDirectory, legacyLock, options.MaxCapacity);
        }
        catch
        {
            db?.Dispose();
            legacyLock?.Dispose();
            dataDirectory.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates the database file empty (a valid new database to SQLite) with owner-only permissions when it does not exist yet;
    /// SQLite gives its WAL and shared-memory files the permissions of the database file.
    /// </summary>
    private static void CreatePrivate(string path) =>
        new FileStream(path, PrivateFiles.Options(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0)).Dispose();
}
