namespace BlockStore.Providers.Postgres;

/// <summary>Settings of the PostgreSQL provider (the <c>BlockStore:Postgres</c> configuration section).</summary>
public sealed class PostgresBlockStoreOptions
{
    /// <summary>The Npgsql connection string of the database holding the data sets. Required.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The schema holding BlockStore's tables, created on first open. Default: <c>blockstore</c>.</summary>
    public string Schema { get; set; } = "blockstore";

    /// <summary>How long opening waits for another instance's lease on the data set before it throws <see cref="StoreLockedException"/>. Default: <see cref="BlockStoreOptions.LockWaitTimeout"/>.</summary>
    public TimeSpan? LeaseWaitTimeout { get; set; }

    /// <summary>How long a lease lasts without renewal; an owner that dies is taken over this long after its last renewal at most. Default: 5 seconds.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the owner renews its lease in the background; less than half of <see cref="LeaseDuration"/>. Default: 1 second.</summary>
    public TimeSpan LeaseRenewInterval { get; set; } = TimeSpan.FromSeconds(1);
}
