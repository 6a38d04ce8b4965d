using BlockStore.Providers;
using BlockStore.Providers.File;

namespace BlockStore.Tests.Providers.FileSystem;

/// <summary>Opens the File provider directly (no engine) on a temporary data directory removed after the test.</summary>
public abstract class FileProviderTestBase : IAsyncLifetime
{
    private readonly List<IBlockStoreSession> _open = [];

    protected string DataDir { get; } = Path.Combine(Path.GetTempPath(), "blockstore-file-tests", Guid.NewGuid().ToString("N"));

    protected string StoresDir => Path.Combine(DataDir, FileLayout.StoresDir);

    protected string JournalDir => Path.Combine(DataDir, FileLayout.JournalDir);

    protected string MetaDir => Path.Combine(DataDir, FileLayout.MetaDir);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (IBlockStoreSession session in _open)
        {
            await session.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is not a test failure.
        }
    }

    /// <summary>Opens the data set; the session is disposed after the test unless closed before.</summary>
    protected async Task<IBlockStoreSession> OpenAsync(
        Action<BlockStoreOptions>? configure = null, Action<FileBlockStoreOptions>? configureFile = null)
    {
        var options = new BlockStoreOptions { DataDir = DataDir, Durability = Durability.Normal };
        configure?.Invoke(options);
        var fileOptions = new FileBlockStoreOptions();
        configureFile?.Invoke(fileOptions);
        IBlockStoreSession session = await new FileBlockStoreProvider(fileOptions).OpenAsync(options);
        _open.Add(session);
        return session;
    }

    /// <summary>Closes <paramref name="session"/> and opens the data set again.</summary>
    protected async Task<IBlockStoreSession> ReopenAsync(
        IBlockStoreSession session, Action<BlockStoreOptions>? configure = null, Action<FileBlockStoreOptions>? configureFile = null)
    {
        await CloseAsync(session);
        return await OpenAsync(configure, configureFile);
    }

    protected async Task CloseAsync(IBlockStoreSession session)
    {
        _open.Remove(session);
        await session.DisposeAsync();
    }

    /// <summary>How many files under <paramref name="directory"/> this process holds open (Linux: from <c>/proc/self/fd</c>; elsewhere 0).</summary>
    protected static int OpenFilesUnder(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        int count = 0;
        foreach (string fd in Directory.GetFiles("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget?.StartsWith(directory + "/", StringComparison.Ordinal) == true)
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // The descriptor was closed while the list was read.
            }
        }

        return count;
    }

    protected static byte[] Filled(int length, byte seed)
    {
        var bytes = new byte[length];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(seed + i);
        }

        return bytes;
    }

    protected static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (T item in source)
        {
            list.Add(item);
        }

        return list;
    }

    protected static async Task<List<long>> JournalIdsAsync(IBlockStoreSession session)
    {
        var ids = new List<long>();
        await foreach (JournalRecord record in session.Timelines.ReadJournalAsync())
        {
            Assert.Equal(Filled((int)(record.Id % 50) + 1, (byte)record.Id), record.Payload.ToArray());
            ids.Add(record.Id);
        }

        return ids;
    }

    /// <summary>Appends records whose payload is derived from their id, so reads can check it.</summary>
    protected static async Task AppendAsync(IBlockStoreSession session, params long[] ids)
    {
        foreach (long id in ids)
        {
            await session.Timelines.AppendJournalAsync(id, Filled((int)(id % 50) + 1, (byte)id));
        }
    }

    protected static BlockInfo Block(string timeline, long firstSeq, StoreIndex location, TimelineKind kind = TimelineKind.Conversation) =>
        new(kind, timeline, firstSeq, firstSeq + 1, 1000 + firstSeq, 1001 + firstSeq, 2, location);
}
