using Microsoft.Extensions.Options;

namespace BlockStore.Providers.Postgres;

/// <summary>
/// Opens BlockStore data sets kept in a PostgreSQL database: many data sets (named by <see cref="BlockStoreOptions.DataSet"/>) share
/// one schema, and each has one owner at a time, holding a lease whose epoch the database checks on every write.
/// </summary>
public sealed class PostgresBlockStoreProvider : IBlockStoreProvider
{
    private readonly PostgresBlockStoreOptions _postgresOptions;

    /// <summary>Creates the provider with its settings.</summary>
    /// <param name="options">The PostgreSQL settings.</param>
    public PostgresBlockStoreProvider(PostgresBlockStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _postgresOptions = options;
    }

    /// <inheritdoc />
    public string Name => "Postgres";

    /// <summary>PostgreSQL's limit on one <c>bytea</c> value (1 GiB), less room for the rest of the message that carries it.</summary>
    public long MaxPayloadBytes => (1L << 30) - (1 << 20);

    /// <inheritdoc />
    /// <remarks>
    /// Creates the schema on first use and refuses one newer than this library; takes the data set's lease, waiting up to
    /// <see cref="PostgresBlockStoreOptions.LeaseWaitTimeout"/> (or <see cref="BlockStoreOptions.LockWaitTimeout"/>) for another owner to
    /// release it or stop renewing it, then throws <see cref="StoreLockedException"/>.
    /// </remarks>
    public async ValueTask<IBlockStoreSession> OpenAsync(BlockStoreOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ValidateOptionsResult validation = PostgresBlockStoreOptionsValidator.Default.Validate(null, _postgresOptions);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(PostgresBlockStoreOptions), validation.Failures);
        }

        TimeSpan wait = _postgresOptions.LeaseWaitTimeout ?? options.LockWaitTimeout;
        PostgresDatabase db = await PostgresDatabase.OpenAsync(_postgresOptions, options, wait, cancellationToken).ConfigureAwait(false);
        try
        {
            PostgresBlockStorage blocks = await PostgresBlockStorage.OpenAsync(db, options.MaxCapacity, cancellationToken).ConfigureAwait(false);
            return new PostgresBlockStoreSession(db, blocks);
        }
        catch
        {
            await db.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
