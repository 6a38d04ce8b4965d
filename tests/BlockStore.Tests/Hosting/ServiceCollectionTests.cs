using BlockStore.Providers;
using BlockStore.Providers.Postgres;
using BlockStore.Providers.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BlockStore.Tests.Hosting;

public sealed class ServiceCollectionTests : TempDirectory
{
    [Fact]
    public async Task A_plain_service_provider_gives_a_working_store_and_disposing_it_releases_the_data_set()
    {
        var services = new ServiceCollection();
        services.AddBlockStore(b => b.Configure(o => o.DataDir = Dir));
        long seq;
        await using (ServiceProvider provider = services.BuildServiceProvider())
        {
            IMessageStore store = provider.GetRequiredService<IMessageStore>();
            Assert.Same(store, provider.GetRequiredService<IMessageStore>());
            seq = (await store.AddMessageAsync("c", 1, new byte[] { 1 }, ["u"])).SeqId;
        }

        await using MessageStore reopened = await MessageStore.OpenAsync(new BlockStoreOptions { DataDir = Dir });
        Assert.Equal(seq, Assert.Single(await reopened.GetConvMessagesAsync("c", 10)).SeqId);
    }

    [Fact]
    public async Task Synchronous_dispose_of_the_container_closes_the_store()
    {
        var services = new ServiceCollection();
        services.AddBlockStore(b => b.Configure(o => o.DataDir = Dir));
        using (ServiceProvider provider = services.BuildServiceProvider())
        {
            await provider.GetRequiredService<IMessageStore>().AddMessageAsync("c", 1, new byte[] { 1 }, []);
        }

        using ServiceProvider again = new ServiceCollection().AddBlockStore(b => b.Configure(o => o.DataDir = Dir)).Services.BuildServiceProvider();
        Assert.Single(await again.GetRequiredService<IMessageStore>().GetConvMessagesAsync("c", 10));
    }

    [Fact]
    public async Task Synchronous_dispose_completes_on_a_thread_whose_synchronization_context_is_never_pumped()
    {
        MessageStore store = await MessageStore.OpenAsync(new BlockStoreOptions { DataDir = Dir });
        await store.AddMessageAsync("c", 1, new byte[] { 1 }, ["u"]);
        Exception? failure = null;
        var caller = new Thread(() =>
        {
            // A context that queues every continuation and never runs one: anything resumed on it would hang for ever.
            SynchronizationContext.SetSynchronizationContext(new NeverPumpedContext());
            try
            {
                store.Dispose();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        });

        caller.Start();

        Assert.True(caller.Join(TimeSpan.FromSeconds(30)), "Dispose did not return under a blocked synchronization context");
        Assert.Null(failure);
        await using MessageStore reopened = await MessageStore.OpenAsync(new BlockStoreOptions { DataDir = Dir });
        Assert.Single(await reopened.GetConvMessagesAsync("c", 10));
    }

    [Fact]
    public void Configuration_binds_options_and_picks_the_provider()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["BlockStore:Provider"] = "Sqlite",
            ["BlockStore:DataDir"] = Dir,
            ["BlockStore:TimelineMaxSize"] = "42",
            ["BlockStore:Durability"] = "Normal",
            ["BlockStore:Sqlite:FileName"] = "chat.db",
        }).Build();
        var services = new ServiceCollection();
        services.AddBlockStore(configuration.GetSection("BlockStore"));
        using ServiceProvider provider = services.BuildServiceProvider();

        BlockStoreOptions options = provider.GetRequiredService<IOptions<BlockStoreOptions>>().Value;
        Assert.Equal(42, options.TimelineMaxSize);
        Assert.Equal(Durability.Normal, options.Durability);
        Assert.IsType<SqliteBlockStoreProvider>(provider.GetRequiredService<IBlockStoreProvider>());
        Assert.Equal("chat.db", provider.GetRequiredService<IOptions<SqliteBlockStoreOptions>>().Value.FileName);
    }

    [Fact]
    public void Configuration_can_pick_the_File_provider()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["BlockStore:Provider"] = "File",
            ["BlockStore:DataDir"] = Dir,
        }).Build();
        var services = new ServiceCollection();
        services.AddBlockStore(configuration.GetSection("BlockStore")).AddFileSystemProvider();
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Equal("File", provider.GetRequiredService<IBlockStoreProvider>().Name);
    }

    [Fact]
    public async Task An_unknown_provider_fails_at_start_naming_the_key_and_the_registered_providers()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["BlockStore:Provider"] = "Oracle",
            ["BlockStore:DataDir"] = Dir,
        });
        builder.Services.AddBlockStore(builder.Configuration.GetSection("BlockStore")).AddFileSystemProvider();
        using IHost host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("BlockStore:Provider is 'Oracle'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'File', 'Sqlite'", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Dir));
    }

    /// <summary>An app that ships the PostgreSQL provider runs on SQLite without configuring PostgreSQL, and is told what is missing once it picks PostgreSQL.</summary>
    [Fact]
    public async Task A_shipped_provider_that_is_not_selected_needs_no_settings()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["BlockStore:DataDir"] = Dir });
        builder.Services.AddBlockStore(builder.Configuration.GetSection("BlockStore")).AddFileSystemProvider().AddPostgresProvider();
        using (IHost host = builder.Build())
        {
            await host.StartAsync();
            Message stored = await host.Services.GetRequiredService<IMessageStore>().AddMessageAsync("c", 1, new byte[] { 1 }, ["u"]);
            Assert.Equal(1, stored.SeqId);
            await host.StopAsync();
        }

        HostApplicationBuilder postgres = Host.CreateApplicationBuilder();
        postgres.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["BlockStore:DataDir"] = Dir, ["BlockStore:Provider"] = "Postgres" });
        postgres.Services.AddBlockStore(postgres.Configuration.GetSection("BlockStore")).AddFileSystemProvider().AddPostgresProvider();
        using IHost selected = postgres.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => selected.StartAsync());

        Assert.Contains("BlockStore:Postgres:ConnectionString must be set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_provider_registered_by_another_assembly_is_picked_by_configuration()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["BlockStore:Provider"] = TestOnlyProviderFactory.ProviderName,
            ["BlockStore:DataDir"] = Dir,
        });
        builder.Services.AddBlockStore(builder.Configuration.GetSection("BlockStore"));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IBlockStoreProviderFactory, TestOnlyProviderFactory>());
        using IHost host = builder.Build();

        await host.StartAsync();
        await host.Services.GetRequiredService<IMessageStore>().AddMessageAsync("c", 1, new byte[] { 7 }, []);

        Assert.Equal(TestOnlyProviderFactory.ProviderName, host.Services.GetRequiredService<IBlockStoreProvider>().Name);
        Assert.True(TestOnlyProviderFactory.Opened > 0);
        await host.StopAsync();
    }

    [Fact]
    public void A_provider_picked_in_code_wins_over_configuration()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["BlockStore:Provider"] = "Sqlite",
            ["BlockStore:DataDir"] = Dir,
        }).Build();
        var services = new ServiceCollection();
        services.AddBlockStore(configuration.GetSection("BlockStore")).UseFileSystem();
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Equal("File", provider.GetRequiredService<IBlockStoreProvider>().Name);
    }

    [Fact]
    public async Task A_host_with_a_bad_configuration_fails_at_start()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["BlockStore:DataDir"] = Dir,
            ["BlockStore:TimelineMaxSize"] = "0",
        });
        builder.Services.AddBlockStore(builder.Configuration.GetSection("BlockStore"));
        using IHost host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("BlockStore:TimelineMaxSize must be between 1 and 65536", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Sqlite", "Sqlite:PageCacheKib", "-1", "Chat:Storage:Sqlite:PageCacheKib must be between 0 and")]
    [InlineData("Sqlite", "Sqlite:FileName", "../elsewhere.db", "Chat:Storage:Sqlite:FileName must be a file name")]
    [InlineData("File", "File:JournalSegmentBytes", "0", "Chat:Storage:File:JournalSegmentBytes must be greater than 0")]
    [InlineData("File", "File:SnapshotThresholdBytes", "-5", "Chat:Storage:File:SnapshotThresholdBytes must be greater than 0")]
    public async Task Provider_settings_are_validated_at_start_naming_the_key_of_the_section_they_were_bound_from(
        string provider, string key, string value, string expected)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Chat:Storage:Provider"] = provider,
            ["Chat:Storage:DataDir"] = Dir,
            [$"Chat:Storage:{key}"] = value,
        });
        builder.Services.AddBlockStore(builder.Configuration.GetSection("Chat:Storage")).AddFileSystemProvider();
        using IHost host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Dir));
    }

    [Fact]
    public async Task A_host_opens_the_store_at_start_and_it_is_locked_until_stop()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Services.AddBlockStore(b => b.Configure(o => o.DataDir = Dir));
        using (IHost host = builder.Build())
        {
            await host.StartAsync();
            await Assert.ThrowsAsync<StoreLockedException>(() => MessageStore.OpenAsync(new BlockStoreOptions { DataDir = Dir }));
            await host.Services.GetRequiredService<IMessageStore>().AddMessageAsync("c", 1, new byte[] { 7 }, []);
            await host.StopAsync();
        }

        await using MessageStore store = await MessageStore.OpenAsync(new BlockStoreOptions { DataDir = Dir });
        Assert.Single(await store.GetConvMessagesAsync("c", 10));
    }

    [Fact]
    public void Registration_checks_its_arguments()
    {
        Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddBlockStore());
        Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddBlockStore((Action<IBlockStoreBuilder>)null!));
        Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddBlockStore((IConfiguration)null!));
    }

    /// <summary>A single-threaded context whose queue is never drained, as on a blocked UI thread.</summary>
    private sealed class NeverPumpedContext : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state)
        {
        }

        public override void Send(SendOrPostCallback d, object? state) => throw new InvalidOperationException("Send on a blocked context.");
    }
}
