using BlockStore.Orleans;
using BlockStore.Providers;
using BlockStore.Tests.Contract;
using BlockStore.Tests.DataSets;
using BlockStore.Tests.Providers.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Orleans;

namespace BlockStore.Tests.Orleans;

/// <summary>Runs the data set contract through the Orleans factory of a cluster client: every call crosses to the data set's grain on one of two silos.</summary>
[Collection(OrleansClusterCollection.Name)]
public sealed class OrleansDataSetTests(OrleansClusterFixture cluster) : DataSetContractTests(new OrleansFixture())
{
    private readonly string _prefix = Guid.NewGuid().ToString("N")[..8];

    protected override string Id(string name) => $"{_prefix}-{name}";

    protected override IMessageStoreFactory CreateFactory(BlockStoreOptions options) =>
        new OrleansMessageStoreFactory(cluster.Cluster!.Client, options);

    [SkippableFact]
    public async Task The_factory_a_client_resolves_reaches_the_data_sets_of_the_cluster()
    {
        IMessageStoreFactory resolved = cluster.Cluster!.Client.ServiceProvider.GetRequiredService<IMessageStoreFactory>();
        Message sent = await resolved.Get(Id("resolved")).AddMessageAsync("conv", 1, Bytes("hello"), Users("ann"));

        AssertSameMessages([sent], await Factory().Get(Id("resolved")).GetConvMessagesAsync("conv", 10));
    }

    [SkippableFact]
    public async Task A_data_set_whose_grain_was_deactivated_reopens_with_every_acknowledged_message()
    {
        IMessageStore store = Factory().Get(Id("moving"));
        List<Message> sent = await AddManyAsync(store, "conv", 7, Users("ann"));
        IManagementGrain management = cluster.Cluster!.Client.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero);

        AssertSameMessages(sent, await store.GetConvMessagesAsync("conv", 10));
        Assert.True((await store.AddMessageAsync("conv", 1, Bytes("after"), Users("ann"))).SeqId > sent[^1].SeqId);
    }

    /// <summary>The cluster's provider is PostgreSQL: the tests skip when it is not configured.</summary>
    private sealed class OrleansFixture : IProviderFixture
    {
        public string Name => "Orleans";

        public string? SkipReason => PostgresFixture.ConnectionString is null
            ? $"PostgreSQL is not configured: set {PostgresFixture.Variable} to a connection string to run the Orleans cluster tests"
            : null;

        public bool UsesDataDir => false;

        public IBlockStoreProvider CreateProvider() => throw new NotSupportedException("The cluster's silos open the data sets.");

        public void DamageBlock(string dataDir, StoreIndex location, int index, byte mask) => throw new NotSupportedException("The cluster's silos own the data sets.");
    }
}
