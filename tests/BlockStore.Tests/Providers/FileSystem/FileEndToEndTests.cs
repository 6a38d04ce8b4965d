using BlockStore.Providers;
using BlockStore.Providers.File;
using BlockStore.Tests.Contract;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BlockStore.Tests.Providers.FileSystem;

/// <summary>The engine on the File provider: real files on disk, full durability, and the DI wiring of <c>UseFileSystem</c>.</summary>
public sealed class FileEndToEndTests() : StoreTestBase(new FileFixture())
{
    [Fact]
    public async Task Under_full_durability_every_store_file_stays_within_MaxCapacity_and_everything_survives_a_restart()
    {
        void Small(BlockStoreOptions o)
        {
            o.Durability = Durability.Full;
            o.MaxCapacity = 4096;
            o.MaxBlockBytes = 2048;
            o.MaxMessageBytes = 1000;
            o.TimelineMaxSize = 4;
            o.Compression = BlockCompression.None;
        }

        MessageStore store = await OpenAsync(Small);
        var sent = new List<Message>();
        for (int i = 0; i < 50; i++)
        {
            sent.Add(await store.AddMessageAsync($"conv/{i % 3}", 1, new byte[(i * 53) % 700], Users("../u", "u")));
        }

        await store.UpdateUserCheckpointAsync("u", sent[30].SeqId);
        store = await ReopenAsync(store, Small);

        string[] stores = Directory.GetFiles(Path.Combine(DataDir, FileLayout.StoresDir));
        Assert.True(stores.Length > 3, $"only {stores.Length} store files");
        Assert.All(stores, f => Assert.InRange(new FileInfo(f).Length, 1, 4096));
        Assert.Empty(Directory.GetFiles(Path.Combine(DataDir, FileLayout.JournalDir)));
        AssertSameMessages(sent, await store.GetUserMessagesAsync("../u", 0, 100));
        AssertSameMessages(sent[31..], await store.GetMessagesAfterCheckpointAsync("u"));
        Assert.Equal(["data"], Directory.GetFileSystemEntries(Root).Select(Path.GetFileName));
    }

    [Fact]
    public async Task SeqIds_restart_above_a_recorded_journal_trim_point_that_no_stored_message_reaches()
    {
        // Earlier versions recorded a trim point above every stored SeqId after a failed journal write.
        await using (IBlockStoreSession session = await Fixture.CreateProvider().OpenAsync(CreateOptions()))
        {
            await session.Timelines.CommitBlocksAsync([], journalKeepFrom: 100);
        }

        var unsealed = new FaultyProvider(Fixture.CreateProvider()) { FailBlockWrites = true };
        MessageStore store = await OpenAsync(provider: unsealed);
        Message journaled = await store.AddMessageAsync("c", 1, Bytes("journaled"), Users("u"));
        await store.DisposeAsync();

        store = await OpenAsync();

        Assert.True(journaled.SeqId >= 100, $"SeqId {journaled.SeqId}");
        AssertSameMessages([journaled], await store.GetConvMessagesAsync("c", 10));
    }

    [Fact]
    public async Task UseFileSystem_binds_its_section_and_gives_a_working_store()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["File:JournalSegmentBytes"] = "4096",
            ["File:SnapshotThresholdBytes"] = "2048",
        }).Build();
        var services = new ServiceCollection();
        services.AddBlockStore(b => b.UseFileSystem(configuration.GetSection(FileBlockStoreBuilderExtensions.ProviderName)).Configure(o => o.DataDir = DataDir));

        await using (ServiceProvider provider = services.BuildServiceProvider())
        {
            FileBlockStoreOptions options = provider.GetRequiredService<IOptions<FileBlockStoreOptions>>().Value;
            Assert.Equal(4096, options.JournalSegmentBytes);
            Assert.Equal(2048, options.SnapshotThresholdBytes);
            Assert.Equal("File", provider.GetRequiredService<IBlockStoreProvider>().Name);
            await provider.GetRequiredService<IMessageStore>().AddMessageAsync("c", 1, Bytes("x"), ["u"]);
        }

        Assert.True(File.Exists(Path.Combine(DataDir, FileBlockStoreProvider.LockFileName)));
        MessageStore store = await OpenAsync();
        Assert.Equal("x", Text(Assert.Single(await store.GetConvMessagesAsync("c", 10))));
    }

    [Fact]
    public async Task Invalid_file_settings_are_refused_with_the_key_named()
    {
        var provider = new FileBlockStoreProvider(new FileBlockStoreOptions { JournalSegmentBytes = 0 });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () => await provider.OpenAsync(CreateOptions()));

        Assert.Contains("BlockStore:File:JournalSegmentBytes", error.Message, StringComparison.Ordinal);
    }
}
