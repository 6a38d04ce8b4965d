using BlockStore.Providers;
using BlockStore.Providers.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BlockStore.Tests.Hosting;

/// <summary>The <c>blockstore</c> health check: healthy, unhealthy when the store cannot open or a durable write failed, degraded on low disk.</summary>
public sealed class HealthCheckTests : TempDirectory
{
    [Fact]
    public async Task A_working_store_is_healthy_and_reports_its_figures()
    {
        await using ServiceProvider provider = Build(o => o.MinimumFreeBytes = 0);
        await provider.GetRequiredService<IMessageStore>().AddMessageAsync("c", 1, new byte[] { 1 }, ["u"]);

        HealthReportEntry entry = await CheckAsync(provider);

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal(Path.GetFullPath(Dir), entry.Data["dataDir"]);
        Assert.True((long)entry.Data["freeBytes"] > 0);
        Assert.True(entry.Data.ContainsKey("stores"));
        Assert.True(entry.Data.ContainsKey("usedBytes"));
    }

    [Fact]
    public async Task A_store_that_cannot_be_opened_is_unhealthy()
    {
        await using MessageStore owner = await MessageStore.OpenAsync(new BlockStoreOptions { DataDir = Dir });
        await using ServiceProvider provider = Build(o => o.MinimumFreeBytes = 0);

        HealthReportEntry entry = await CheckAsync(provider);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.IsType<StoreLockedException>(entry.Exception);
        Assert.Contains("cannot be opened", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_journal_write_is_unhealthy_until_the_next_write_succeeds()
    {
        var faulty = new FaultyProvider(new SqliteBlockStoreProvider(new SqliteBlockStoreOptions()));
        await using ServiceProvider provider = Build(o => o.MinimumFreeBytes = 0, services => services.AddSingleton<IBlockStoreProvider>(faulty));
        IMessageStore store = provider.GetRequiredService<IMessageStore>();
        await store.AddMessageAsync("c", 1, new byte[] { 1 }, []);

        faulty.FailJournalWrites = true;
        await Assert.ThrowsAsync<BlockStoreException>(() => store.AddMessageAsync("c", 1, new byte[] { 2 }, []));
        HealthReportEntry failed = await CheckAsync(provider);
        faulty.FailJournalWrites = false;
        await store.AddMessageAsync("c", 1, new byte[] { 3 }, []);
        HealthReportEntry recovered = await CheckAsync(provider);

        Assert.Equal(HealthStatus.Unhealthy, failed.Status);
        Assert.IsType<IOException>(failed.Exception);
        Assert.Contains("durable write failed", failed.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, recovered.Status);
    }

    [Fact]
    public async Task Refusing_writes_because_sealing_keeps_failing_is_unhealthy()
    {
        var faulty = new FaultyProvider(new SqliteBlockStoreProvider(new SqliteBlockStoreOptions())) { FailBlockWrites = true };
        await using ServiceProvider provider = Build(
            o => o.MinimumFreeBytes = 0,
            services => services.AddSingleton<IBlockStoreProvider>(faulty),
            o =>
            {
                o.TimelineMaxSize = 1000;
                o.JournalMaxBytes = 8192;
                o.OpenBlocksMaxBytes = 8192;
            });
        IMessageStore store = provider.GetRequiredService<IMessageStore>();
        BlockStoreException? refused = null;
        for (int i = 0; i < 500 && refused is null; i++)
        {
            refused = await Record.ExceptionAsync(() => store.AddMessageAsync($"c{i % 5}", 1, new byte[500], ["u"])) as BlockStoreException;
        }

        HealthReportEntry entry = await CheckAsync(provider);

        Assert.NotNull(refused);
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("writes are refused", entry.Description, StringComparison.Ordinal);
        Assert.IsType<IOException>(entry.Exception);
    }

    [Fact]
    public async Task A_provider_whose_storage_does_not_answer_is_unhealthy_until_it_answers_again()
    {
        var faulty = new FaultyProvider(new SqliteBlockStoreProvider(new SqliteBlockStoreOptions())) { FailChecks = true };
        await using ServiceProvider provider = Build(o => o.MinimumFreeBytes = 0, services => services.AddSingleton<IBlockStoreProvider>(faulty));

        HealthReportEntry down = await CheckAsync(provider);
        faulty.FailChecks = false;
        HealthReportEntry up = await CheckAsync(provider);

        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Assert.Contains("storage does not answer", down.Description, StringComparison.Ordinal);
        Assert.IsType<IOException>(down.Exception);
        Assert.Equal(HealthStatus.Healthy, up.Status);
    }

    [Fact]
    public async Task Too_little_free_disk_space_is_degraded()
    {
        await using ServiceProvider provider = Build(o => o.MinimumFreeBytes = long.MaxValue);

        HealthReportEntry entry = await CheckAsync(provider);

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("bytes are free", entry.Description, StringComparison.Ordinal);
    }

    private static async Task<HealthReportEntry> CheckAsync(ServiceProvider provider)
    {
        HealthReport report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return report.Entries[BlockStoreHealthCheckBuilderExtensions.HealthCheckName];
    }

    private ServiceProvider Build(Action<BlockStoreHealthCheckOptions> configure, Action<IServiceCollection>? more = null, Action<BlockStoreOptions>? store = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddBlockStore(b => b.Configure(o =>
        {
            o.DataDir = Dir;
            store?.Invoke(o);
        }).AddHealthCheck(configure));
        more?.Invoke(services);
        return services.BuildServiceProvider();
    }
}
