using BlockStore;
using BlockStore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds BlockStore's health check to the application's health checks.</summary>
public static class BlockStoreHealthCheckBuilderExtensions
{
    /// <summary>The name the check is registered under.</summary>
    public const string HealthCheckName = "blockstore";

    /// <summary>
    /// Registers the <c>blockstore</c> health check: Unhealthy when the store cannot be opened or its last durable write failed,
    /// Degraded when free disk space under <c>DataDir</c> is below <see cref="BlockStoreHealthCheckOptions.MinimumFreeBytes"/>.
    /// </summary>
    /// <param name="builder">The BlockStore builder.</param>
    /// <param name="configure">Adjusts the check's settings; optional.</param>
    /// <param name="tags">Tags for filtering health endpoints (e.g. <c>ready</c>); optional.</param>
    /// <returns>The builder.</returns>
    public static IBlockStoreBuilder AddHealthCheck(this IBlockStoreBuilder builder, Action<BlockStoreHealthCheckOptions>? configure = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        OptionsBuilder<BlockStoreHealthCheckOptions> options = builder.Services.AddOptions<BlockStoreHealthCheckOptions>()
            .Validate(static o => o.MinimumFreeBytes >= 0, $"{nameof(BlockStoreHealthCheckOptions.MinimumFreeBytes)} must not be negative.")
            .ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.AddHealthChecks().AddCheck<BlockStoreHealthCheck>(HealthCheckName, failureStatus: null, tags ?? []);
        return builder;
    }

    /// <summary>Registers the <c>blockstore</c> health check with settings bound from <paramref name="configuration"/>.</summary>
    /// <param name="builder">The BlockStore builder.</param>
    /// <param name="configuration">The section holding <see cref="BlockStoreHealthCheckOptions"/>.</param>
    /// <param name="tags">Tags for filtering health endpoints (e.g. <c>ready</c>); optional.</param>
    /// <returns>The builder.</returns>
    public static IBlockStoreBuilder AddHealthCheck(this IBlockStoreBuilder builder, IConfiguration configuration, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        builder.AddHealthCheck(configure: null, tags);
        builder.Services.Configure<BlockStoreHealthCheckOptions>(configuration);
        return builder;
    }
}
