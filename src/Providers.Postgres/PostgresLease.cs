using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace BlockStore.Providers.Postgres;

/// <summary>
/// This instance's lease on a data set: taken with a higher epoch than every owner before, renewed in the background, and checked by
/// the database's <c>fence</c> at the start of every write, so a deposed owner cannot write whatever its clock says.
/// </summary>
internal sealed class PostgresLease : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly PostgresDatabase _db;
    private readonly long _leaseMs;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewing;

    private PostgresLease(PostgresDatabase db, string owner, long epoch, PostgresBlockStoreOptions options)
    {
        _db = db;
        Owner = owner;
        Epoch = epoch;
        _leaseMs = (long)options.LeaseDuration.TotalMilliseconds;
        _renewing = RenewAsync(options.LeaseRenewInterval, _stop.Token);
    }

    /// <summary>Who holds the lease: machine, process and a random part.</summary>
    public string Owner { get; }

    /// <summary>The epoch of this ownership; every takeover raises it.</summary>
    public long Epoch { get; }

    /// <summary>Takes the lease, retrying while another owner holds an unexpired one, until <paramref name="wait"/> has passed.</summary>
    public static async Task<PostgresLease> AcquireAsync(PostgresDatabase db, PostgresBlockStoreOptions options, TimeSpan wait, CancellationToken cancellationToken)
    {
        string owner = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
        DateTime deadline = DateTime.UtcNow + wait;
        var parameters = new { dataSet = db.DataSet, owner, leaseMs = (long)options.LeaseDuration.TotalMilliseconds };
        while (true)
        {
            long? epoch;
            await using (NpgsqlConnection c = await db.OpenReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                epoch = await c.ExecuteScalarAsync<long?>(new CommandDefinition(db.Queries.AcquireLease, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
            }

            if (epoch is { } taken)
            {
                return new PostgresLease(db, owner, taken, options);
            }

            TimeSpan left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new StoreLockedException(db.Location);
            }

            await Task.Delay(left < PollInterval ? left : PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The fence statement for this epoch, to run first in a write's transaction.</summary>
    public NpgsqlBatchCommand FenceCommand()
    {
        var command = new NpgsqlBatchCommand(_db.Queries.Fence);
        command.Parameters.Add(new NpgsqlParameter<string>("dataSet", NpgsqlDbType.Text) { TypedValue = _db.DataSet });
        command.Parameters.Add(new NpgsqlParameter<long>("epoch", NpgsqlDbType.Bigint) { TypedValue = Epoch });
        command.Parameters.Add(new NpgsqlParameter<long>("leaseMs", NpgsqlDbType.Bigint) { TypedValue = _leaseMs });
        return command;
    }

    /// <summary>Runs the fence once, now: renews the lease, or throws <see cref="StoreLockedException"/> when another instance took it over.</summary>
    public async ValueTask RenewNowAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RenewOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresQueries.LeaseLostState)
        {
            throw Lost(e);
        }
    }

    /// <summary>The error a write of a deposed owner fails with.</summary>
    public StoreLockedException Lost(PostgresException cause) => new(_db.Location, new BlockStoreException(
        $"This instance ({Owner}) lost its lease on the data set at epoch {Epoch}: another instance took it over, and the database refused the write.", cause));

    /// <summary>Stops renewing and gives the lease up, so a waiting opener takes over at once.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _renewing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        try
        {
            await using NpgsqlConnection c = await _db.OpenReaderAsync(CancellationToken.None).ConfigureAwait(false);
            await c.ExecuteAsync(_db.Queries.ReleaseLease, new { dataSet = _db.DataSet, epoch = Epoch }).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
        {
            // The database is unreachable: the lease expires on its own.
        }
    }

    private async Task RenewOnceAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection c = await _db.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(c);
        batch.BatchCommands.Add(FenceCommand());
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RenewAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await RenewOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState == PostgresQueries.LeaseLostState)
            {
                // Deposed: every later write fails at the fence; nothing left to renew.
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
            {
                // Unreachable for now: try again at the next tick; the fence still guards every write.
            }
        }
    }
}
