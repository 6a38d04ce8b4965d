using BlockStore;
using BlockStore.Orleans;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Orleans.Hosting;

/// <summary>Hosts BlockStore data sets on Orleans silos and lets clients reach them.</summary>
public static class BlockStoreSiloBuilderExtensions
{
    /// <summary>How long a data set's new owner waits, by default, for the lease of an owner that died (one that stopped renewing).</summary>
    public static readonly TimeSpan DefaultLeaseWait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Hosts data sets on this silo: one grain per data set owns its engine over a provider every silo reaches (PostgreSQL), and
    /// <see cref="IMessageStoreFactory"/> (and <see cref="IMessageStore"/>, the data set named by <see cref="BlockStoreOptions.DataSet"/>)
    /// resolve to stores that call those grains, wherever they live.
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="configure">Picks the provider and options, e.g. <c>b =&gt; b.UsePostgres(o =&gt; o.ConnectionString = cs)</c>; <see cref="BlockStoreOptions.LockWaitTimeout"/> defaults to <see cref="DefaultLeaseWait"/>.</param>
    /// <returns>The silo builder.</returns>
    public static ISiloBuilder AddBlockStore(this ISiloBuilder builder, Action<IBlockStoreBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddBlockStore(b =>
        {
            b.Configure(o => o.LockWaitTimeout = DefaultLeaseWait);
            configure(b);
        });
        foreach (ServiceDescriptor opener in builder.Services.Where(static d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(BlockStoreHostedService)).ToArray())
        {
            // Silos open data sets on demand in their grains; the default data set is one of them, not opened by every silo at start.
            builder.Services.Remove(opener);
        }
        AddClientServices(builder.Services);
        return builder;
    }

    /// <summary>Lets this client reach data sets hosted on the cluster through <see cref="IMessageStoreFactory"/> and <see cref="IMessageStore"/> (the data set <c>default</c>).</summary>
    /// <param name="builder">The client builder.</param>
    /// <returns>The client builder.</returns>
    public static IClientBuilder AddBlockStore(this IClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddClientServices(builder.Services);
        return builder;
    }

    private static void AddClientServices(IServiceCollection services)
    {
        BlockStoreSerialization.Add(services);
        services.Replace(ServiceDescriptor.Singleton<IMessageStoreFactory>(static sp =>
            new OrleansMessageStoreFactory(sp.GetRequiredService<IGrainFactory>(), Options(sp), sp.GetService<ILoggerFactory>())));
        services.Replace(ServiceDescriptor.Singleton<IMessageStore>(static sp => sp.GetRequiredService<IMessageStoreFactory>().Get(Options(sp).DataSet)));
    }

    /// <summary>BlockStore's options where this host configures them (silos), the defaults otherwise (plain clients).</summary>
    private static BlockStoreOptions Options(IServiceProvider services) => services.GetService<IOptions<BlockStoreOptions>>()?.Value ?? new BlockStoreOptions();
}
