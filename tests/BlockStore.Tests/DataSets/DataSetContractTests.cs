using BlockStore.Tests.Contract;
using Microsoft.Extensions.Options;

namespace BlockStore.Tests.DataSets;

/// <summary>
/// The contract of <see cref="IMessageStoreFactory"/>: stores of any data set behave like a store of their own, data sets are
/// isolated, data set ids are checked and are data, never paths. Each way of hosting data sets runs it through one subclass.
/// </summary>
public abstract class DataSetContractTests(IProviderFixture fixture) : StoreTestBase(fixture)
{
    private readonly List<IMessageStoreFactory> _factories = [];

    public static TheoryData<string> HostileIds => new()
    {
        "../../etc/passwd",
        "..",
        ".",
        "..\\..\\windows",
        "/absolute/path",
        "a/b\\c",
        "x'; DROP TABLE blocks;--",
        "NUL",
        "名前と会話🙂",
        new string('z', 240),
    };

    public static TheoryData<string?, Type> InvalidIds => new()
    {
        { null, typeof(ArgumentNullException) },
        { "", typeof(ArgumentException) },
        { "   ", typeof(ArgumentException) },
        { "tab\there", typeof(ArgumentException) },
        { new string('x', 257), typeof(ArgumentException) },
    };

    /// <summary>Makes a data set id unique to this test, for hosts whose data sets outlive one test.</summary>
    protected virtual string Id(string name) => name;

    /// <summary>Creates the factory under test over <paramref name="options"/>; disposed after the test.</summary>
    protected virtual IMessageStoreFactory CreateFactory(BlockStoreOptions options) =>
        new MessageStoreFactory(Options.Create(options), Fixture.CreateProvider());

    /// <summary>Creates a factory with this test's options; it is disposed after the test.</summary>
    protected IMessageStoreFactory Factory(Action<BlockStoreOptions>? configure = null)
    {
        IMessageStoreFactory factory = CreateFactory(CreateOptions(configure));
        _factories.Add(factory);
        return factory;
    }

    public override async Task DisposeAsync()
    {
        foreach (IMessageStoreFactory factory in _factories)
        {
            await factory.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    [SkippableFact]
    public async Task Messages_added_through_the_factory_are_read_back_from_every_timeline()
    {
        IMessageStore store = Factory(o => o.TimelineMaxSize = 3).Get(Id("tenant"));
        List<Message> sent = await AddManyAsync(store, "conv", 10, Users("ann", "bob"));
        sent.Add(await store.AddMessageAsync("conv", 9, Bytes("last"), Users("ann"), idempotencyKey: "k1"));
        await store.UpdateUserCheckpointAsync("ann", sent[3].SeqId);

        AssertSameMessages(sent, await store.GetConvMessagesAsync("conv", 100));
        AssertSameMessages(sent[^4..], await store.GetConvMessagesAsync("conv", 4));
        AssertSameMessages(sent[..10], await store.GetUserMessagesAsync("bob", 0, 100));
        AssertSameMessages(sent[4..], await store.GetMessagesAfterCheckpointAsync("ann"));
        Assert.Equal(sent[3].SeqId, await store.GetUserCheckpointAsync("ann"));
        Assert.Equal(sent[^1].SeqId, (await store.GetOrCreateConvTimelineAsync("conv")).LastSeqId);
        Assert.Equal(sent[^1].SeqId, (await store.GetStatsAsync()).LastSeqId);
        Assert.Equal(sent[^1].SeqId, (await store.AddMessageAsync("conv", 9, Bytes("last"), Users("ann"), idempotencyKey: "k1")).SeqId);
    }

    [SkippableFact]
    public async Task Data_sets_are_isolated_with_a_sequence_each()
    {
        IMessageStoreFactory factory = Factory();
        IMessageStore a = factory.Get(Id("a"));
        IMessageStore b = factory.Get(Id("b"));
        List<Message> inA = await AddManyAsync(a, "same-conv", 3, Users("u"), "a");
        List<Message> inB = await AddManyAsync(b, "same-conv", 2, Users("u"), "b");

        Assert.Equal([1L, 2L, 3L], inA.Select(m => m.SeqId));
        Assert.Equal([1L, 2L], inB.Select(m => m.SeqId));
        AssertSameMessages(inA, await a.GetUserMessagesAsync("u", 0, 10));
        AssertSameMessages(inB, await factory.Get(Id("b")).GetConvMessagesAsync("same-conv", 10));
    }

    [SkippableFact]
    public async Task Acknowledged_messages_survive_closing_every_data_set()
    {
        IMessageStoreFactory first = Factory();
        List<Message> sent = await AddManyAsync(first.Get(Id("kept")), "conv", 5, Users("ann"));
        await first.DisposeAsync();

        IMessageStore store = Factory().Get(Id("kept"));
        AssertSameMessages(sent, await store.GetConvMessagesAsync("conv", 10));
        Message next = await store.AddMessageAsync("conv", 1, Bytes("after"), Users("ann"));
        Assert.True(next.SeqId > sent[^1].SeqId);
    }

    [SkippableFact]
    public async Task A_watch_through_the_factory_sees_stored_then_live_messages_once_in_order()
    {
        IMessageStore store = Factory().Get(Id("watched"));
        List<Message> sent = await AddManyAsync(store, "conv", 3, Users("ann"));
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<Message>();
        Task watching = Task.Run(async () =>
        {
            await foreach (Message m in store.WatchUserAsync("ann", sent[0].SeqId, cancel.Token))
            {
                seen.Add(m);
                if (seen.Count == 4)
                {
                    return;
                }
            }
        });
        sent.AddRange(await AddManyAsync(store, "conv", 2, Users("ann"), "live"));
        await watching;

        AssertSameMessages(sent[1..], seen);
    }

    [SkippableFact]
    public async Task Bad_arguments_through_the_factory_name_the_parameter_and_write_nothing()
    {
        IMessageStore store = Factory().Get(Id("strict"));
        await store.AddMessageAsync("conv", 1, Bytes("one"), Users("ann"));
        NewMessage[] batch = [new("conv", 1, Bytes("ok"), Users("ann")), new("conv", 1, Bytes("bad"), ["ann", null!])];

        Assert.Equal("batch", (await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AddMessagesAsync(batch))).ParamName);
        Assert.Equal("limit", (await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetConvMessagesAsync("conv", 0))).ParamName);
        Assert.Equal("convId", (await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AddMessageAsync(" ", 1, Bytes("x"), Users("ann")))).ParamName);
        Assert.Equal("userId", Assert.ThrowsAny<ArgumentException>(() => store.WatchUserAsync("", 0)).ParamName);
        Assert.Single(await store.GetConvMessagesAsync("conv", 10));
    }

    [SkippableTheory]
    [MemberData(nameof(InvalidIds))]
    public void Invalid_data_set_ids_are_refused_naming_the_parameter(string? id, Type expected)
    {
        IMessageStoreFactory factory = Factory();

        ArgumentException refused = Assert.ThrowsAny<ArgumentException>(() => factory.Get(id!));
        Assert.IsType(expected, refused);
        Assert.Equal("dataSetId", refused.ParamName);
    }

    [SkippableTheory]
    [MemberData(nameof(HostileIds))]
    public async Task Hostile_data_set_ids_are_ordinary_ids(string id)
    {
        IMessageStoreFactory factory = Factory();
        List<Message> sent = await AddManyAsync(factory.Get(Id(id)), "conv", 2, Users("ann"), id);
        await AddManyAsync(factory.Get(Id(id + "-other")), "conv", 1, Users("ann"));

        AssertSameMessages(sent, await factory.Get(Id(id)).GetConvMessagesAsync("conv", 10));
        if (Fixture.UsesDataDir)
        {
            Assert.Equal([DataDir], Directory.GetFileSystemEntries(Root));
            Assert.Equal(2, Directory.GetDirectories(Path.Combine(DataDir, "datasets")).Length);
        }
    }
}
