namespace BlockStore;

/// <summary>Settings of the BlockStore health check added by <c>AddHealthCheck</c>.</summary>
public sealed class BlockStoreHealthCheckOptions
{
    /// <summary>The free disk space under <see cref="BlockStoreOptions.DataDir"/> below which the store reports Degraded. Default: 1,073,741,824 (1 GiB).</summary>
    public long MinimumFreeBytes { get; set; } = 1L << 30;
}
