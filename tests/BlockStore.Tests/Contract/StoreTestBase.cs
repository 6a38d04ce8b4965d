using System.Text;
using BlockStore.Providers;

namespace BlockStore.Tests.Contract;

/// <summary>
/// The base of every contract test: a temporary data directory per test, removed afterwards, and helpers to open,
/// reopen and fill a store on the fixture's provider.
/// </summary>
public abstract class StoreTestBase(IProviderFixture fixture) : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _open = [];

    protected IProviderFixture Fixture { get; } = fixture;

    /// <summary>A fresh directory that holds only this test's data set (under <see cref="Root"/>).</summary>
    protected string DataDir => Path.Combine(Root, "data");

    /// <summary>The temporary root of this test; nothing may appear in it besides <see cref="DataDir"/>.</summary>
    protected string Root { get; } = Path.Combine(Path.GetTempPath(), "blockstore-tests", Guid.NewGuid().ToString("N"));

    public Task InitializeAsync()
    {
        Skip.If(Fixture.SkipReason is not null, Fixture.SkipReason);
        Directory.CreateDirectory(Root);
        return Task.CompletedTask;
    }

    public virtual async Task DisposeAsync()
    {
        foreach (IAsyncDisposable store in _open)
        {
            await store.DisposeAsync();
        }

        if (Fixture is IAsyncDisposable fixture)
        {
            await fixture.DisposeAsync();
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is not a test failure.
        }
    }

    /// <summary>Skips the calling test on providers that keep their data set in a server database rather than in DataDir.</summary>
    protected void RequireDataDir() => Skip.IfNot(Fixture.UsesDataDir, $"the {Fixture.Name} provider keeps its data sets in a database, not in DataDir");

    protected BlockStoreOptions CreateOptions(Action<BlockStoreOptions>? configure = null)
    {
        var options = new BlockStoreOptions { DataDir = DataDir, Durability = Durability.Normal };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>Opens a store on the fixture's provider; it is disposed after the test unless disposed before.</summary>
    protected async Task<MessageStore> OpenAsync(Action<BlockStoreOptions>? configure = null, IBlockStoreProvider? provider = null)
    {
        MessageStore store = await MessageStore.OpenAsync(CreateOptions(configure), provider ?? Fixture.CreateProvider());
        _open.Add(store);
        return store;
    }

    /// <summary>Closes <paramref name="store"/> and opens the same data set again with the same options.</summary>
    protected async Task<MessageStore> ReopenAsync(MessageStore store, Action<BlockStoreOptions>? configure = null)
    {
        await store.DisposeAsync();
        return await OpenAsync(configure);
    }

    protected static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    protected static string Text(Message message) => Encoding.UTF8.GetString(message.Data.Span);

    protected static string[] Users(params string[] ids) => ids;

    /// <summary>Adds <paramref name="count"/> messages "prefix-i" to one conversation, one at a time, and returns them.</summary>
    protected static async Task<List<Message>> AddManyAsync(IMessageStore store, string convId, int count, string[]? users = null, string prefix = "m")
    {
        var batch = new List<NewMessage>(count);
        for (int i = 0; i < count; i++)
        {
            batch.Add(new NewMessage(convId, (uint)(i % 7), Bytes($"{prefix}-{i}"), users ?? []));
        }

        return [.. await store.AddMessagesAsync(batch)];
    }

    protected static void AssertSameMessages(IReadOnlyList<Message> expected, IReadOnlyList<Message> actual)
    {
        Assert.Equal(expected.Select(m => m.SeqId), actual.Select(m => m.SeqId));
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].ConvId, actual[i].ConvId);
            Assert.Equal(expected[i].SenderId, actual[i].SenderId);
            Assert.Equal(expected[i].CreatedAt, actual[i].CreatedAt);
            Assert.Equal(expected[i].Data.ToArray(), actual[i].Data.ToArray());
        }
    }
}
