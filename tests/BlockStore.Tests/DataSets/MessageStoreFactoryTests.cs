using BlockStore.Tests.Contract;
using BlockStore.Tests.Providers.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BlockStore.Tests.DataSets;

/// <summary>The single-process factory: idle data sets close and reopen with their messages, and all open data sets share one memory budget.</summary>
public sealed class MessageStoreFactoryTests() : StoreTestBase(new SqliteFixture())
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task An_idle_data_set_closes_and_the_next_call_reopens_it_with_its_messages()
    {
        await using var factory = new MessageStoreFactory(Options.Create(CreateOptions(o => o.DataSetIdleTimeout = TimeSpan.FromMilliseconds(50))), Fixture.CreateProvider());
        IMessageStore store = factory.Get("idle");
        List<Message> sent = await AddManyAsync(store, "conv", 4, Users("ann"));

        await WaitUntilAsync(() => factory.OpenCount == 0);
        AssertSameMessages(sent, await store.GetConvMessagesAsync("conv", 10));
        Assert.True((await store.AddMessageAsync("conv", 1, Bytes("again"), Users("ann"))).SeqId > sent[^1].SeqId);
    }

    [Fact]
    public async Task A_data_set_with_a_running_watch_stays_open()
    {
        await using var factory = new MessageStoreFactory(Options.Create(CreateOptions(o => o.DataSetIdleTimeout = TimeSpan.FromMilliseconds(20))), Fixture.CreateProvider());
        IMessageStore store = factory.Get("watched");
        await store.AddMessageAsync("conv", 1, Bytes("first"), Users("ann"));
        using var cancel = new CancellationTokenSource(Patience);
        await using IAsyncEnumerator<Message> watch = store.WatchConvAsync("conv", 0, cancel.Token).GetAsyncEnumerator(cancel.Token);
        Assert.True(await watch.MoveNextAsync());

        Task<bool> next = watch.MoveNextAsync().AsTask();
        await factory.Get("other").AddMessageAsync("c", 1, Bytes("x"), []);
        await WaitUntilAsync(() => factory.OpenCount == 1);
        Message live = await store.AddMessageAsync("conv", 1, Bytes("second"), Users("ann"));

        Assert.True(await next);
        Assert.Equal(live.SeqId, watch.Current.SeqId);
    }

    [Fact]
    public async Task Many_open_data_sets_share_one_working_set_and_block_cache_budget()
    {
        const long budget = 64 * 1024;
        await using var factory = new MessageStoreFactory(
            Options.Create(CreateOptions(o => { o.TimelineMaxSize = 2; o.TimelineCacheBytes = budget; o.CacheSizeBytes = budget; })), Fixture.CreateProvider());
        var stores = Enumerable.Range(0, 12).Select(i => factory.Get($"tenant-{i}")).ToArray();
        foreach (IMessageStore store in stores)
        {
            for (int c = 0; c < 40; c++)
            {
                await AddManyAsync(store, $"conv-{c}", 4, Users($"user-{c}"));
            }
        }

        foreach (IMessageStore store in stores)
        {
            for (int c = 0; c < 40; c++)
            {
                Assert.Equal(4, (await store.GetConvMessagesAsync($"conv-{c}", 10)).Count);
            }
        }

        foreach (IMessageStore store in stores)
        {
            await store.FlushAsync();
        }

        Assert.Equal(12, factory.OpenCount);
        Assert.InRange(factory.WorkingSetBytes, 1, budget);
        Assert.InRange(factory.CacheBytes, 1, budget);
    }

    [Fact]
    public async Task AddBlockStore_registers_a_factory_beside_the_default_store()
    {
        var services = new ServiceCollection();
        services.AddBlockStore(b => b.Configure(o => o.DataDir = DataDir));
        await using ServiceProvider provider = services.BuildServiceProvider();

        Message inDefault = await provider.GetRequiredService<IMessageStore>().AddMessageAsync("conv", 1, Bytes("default"), []);
        Message inTenant = await provider.GetRequiredService<IMessageStoreFactory>().Get("tenant").AddMessageAsync("conv", 1, Bytes("tenant"), []);

        Assert.Equal(1, inDefault.SeqId);
        Assert.Equal(1, inTenant.SeqId);
        Assert.Single(Directory.GetDirectories(Path.Combine(DataDir, "datasets")));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
