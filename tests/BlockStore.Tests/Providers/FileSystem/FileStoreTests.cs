using BlockStore.Providers;
using BlockStore.Providers.File;

namespace BlockStore.Tests.Providers.FileSystem;

/// <summary>Store files: fixed capacity, checked headers, unreferenced bytes after a crash, damage reported on read.</summary>
public sealed class FileStoreTests : FileProviderTestBase
{
    private const int Capacity = 1024;

    private string StorePath(long id) => Path.Combine(StoresDir, StoreFile.FileName(id));

    [Fact]
    public async Task Store_files_never_exceed_MaxCapacity_and_blocks_read_back()
    {
        IBlockStoreSession session = await OpenAsync(o => o.MaxCapacity = Capacity);
        Assert.Equal(Capacity - FileHeader.Size, session.Blocks.MaxBlockSize);
        var blocks = new List<ReadOnlyMemory<byte>>();
        for (int i = 0; i < 40; i++)
        {
            // Seeds from 1: a block is never all zeros (it starts with its magic), and zeros read back as a freed block.
            blocks.Add(Filled((i * 97 % 400) + 1, (byte)(i + 1)));
        }

        blocks.Add(Filled((int)session.Blocks.MaxBlockSize, 7));
        var locations = new List<StoreIndex>(await session.Blocks.WriteBlocksAsync(blocks.GetRange(0, 20)));
        locations.AddRange(await session.Blocks.WriteBlocksAsync(blocks.GetRange(20, 21)));

        session = await ReopenAsync(session, o => o.MaxCapacity = Capacity);

        string[] files = Directory.GetFiles(StoresDir);
        Assert.True(files.Length > 5, $"only {files.Length} store files");
        Assert.All(files, f => Assert.InRange(new FileInfo(f).Length, FileHeader.Size, Capacity));
        IReadOnlyList<StoreInfo> stores = await session.Blocks.GetStoresAsync();
        Assert.Equal(files.Length, stores.Count);
        Assert.All(stores, s => Assert.Equal(new FileInfo(StorePath(s.StoreId)).Length, s.UsedBytes));
        for (int i = 0; i < blocks.Count; i++)
        {
            Assert.InRange(locations[i].Offset + locations[i].Size, FileHeader.Size, Capacity);
            var read = new byte[locations[i].Size];
            await session.Blocks.ReadBlockAsync(locations[i], read);
            Assert.Equal(blocks[i].ToArray(), read);
        }
    }

    [Fact]
    public async Task A_block_larger_than_an_empty_store_is_refused_and_nothing_is_written()
    {
        IBlockStoreSession session = await OpenAsync(o => o.MaxCapacity = Capacity);

        await Assert.ThrowsAsync<ArgumentException>(async () =>
            await session.Blocks.WriteBlocksAsync([Filled(10, 1), Filled((int)session.Blocks.MaxBlockSize + 1, 2)]));

        Assert.Empty(await session.Blocks.GetStoresAsync());
        Assert.Empty(Directory.GetFiles(StoresDir));
    }

    [Fact]
    public async Task A_block_written_without_its_metadata_is_ignored_after_restart_and_its_space_stays_counted()
    {
        IBlockStoreSession session = await OpenAsync();
        IReadOnlyList<StoreIndex> committed = await session.Blocks.WriteBlocksAsync([Filled(100, 1)]);
        await session.Timelines.CommitBlocksAsync([Block("c", 1, committed[0])], journalKeepFrom: 0);
        IReadOnlyList<StoreIndex> orphan = await session.Blocks.WriteBlocksAsync([Filled(300, 2)]);

        // The process stops here: the block's bytes are on disk, its metadata never committed.
        session = await ReopenAsync(session);

        List<BlockInfo> loaded = await ToListAsync(session.Timelines.LoadBlocksAsync());
        Assert.Equal([Block("c", 1, committed[0])], loaded);
        StoreInfo store = Assert.Single(await session.Blocks.GetStoresAsync());
        Assert.Equal(FileHeader.Size + 100 + 300, store.UsedBytes);
        IReadOnlyList<StoreIndex> next = await session.Blocks.WriteBlocksAsync([Filled(50, 3)]);
        Assert.Equal(orphan[0].Offset + orphan[0].Size, next[0].Offset);
        var read = new byte[100];
        await session.Blocks.ReadBlockAsync(loaded[0].Location, read);
        Assert.Equal(Filled(100, 1), read);
    }

    [Fact]
    public async Task A_foreign_file_in_place_of_a_store_is_refused_with_a_message_naming_it()
    {
        Directory.CreateDirectory(StoresDir);
        await File.WriteAllTextAsync(StorePath(1), "this is not a BlockStore store, just some text that is long enough to fill a header");

        var error = await Assert.ThrowsAsync<BlockStoreException>(async () => await OpenAsync());

        Assert.Contains(StorePath(1), error.Message, StringComparison.Ordinal);
        Assert.Contains("signature", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_damaged_store_header_is_refused_with_a_message_naming_the_file()
    {
        IBlockStoreSession session = await OpenAsync();
        await session.Blocks.WriteBlocksAsync([Filled(10, 1)]);
        await CloseAsync(session);
        await FlipByteAsync(StorePath(1), 20);

        var error = await Assert.ThrowsAsync<BlockStoreException>(async () => await OpenAsync());

        Assert.Contains(StorePath(1), error.Message, StringComparison.Ordinal);
        Assert.Contains("damaged", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_file_renamed_to_another_id_is_refused()
    {
        IBlockStoreSession session = await OpenAsync();
        await session.Blocks.WriteBlocksAsync([Filled(10, 1)]);
        await CloseAsync(session);
        File.Move(StorePath(1), StorePath(2));

        var error = await Assert.ThrowsAsync<BlockStoreException>(async () => await OpenAsync());

        Assert.Contains(StorePath(2), error.Message, StringComparison.Ordinal);
        Assert.Contains("store 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reading_beyond_a_truncated_store_file_reports_corruption()
    {
        IBlockStoreSession session = await OpenAsync();
        IReadOnlyList<StoreIndex> locations = await session.Blocks.WriteBlocksAsync([Filled(100, 1), Filled(100, 2)]);
        await CloseAsync(session);
        using (FileStream file = File.OpenWrite(StorePath(1)))
        {
            file.SetLength(FileHeader.Size + 150);
        }

        session = await OpenAsync();

        var error = await Assert.ThrowsAsync<CorruptBlockException>(async () => await session.Blocks.ReadBlockAsync(locations[1], new byte[100]));
        Assert.Equal(1, error.StoreId);
        Assert.Equal(locations[1].Offset, error.Offset);
        await Assert.ThrowsAsync<CorruptBlockException>(async () =>
            await session.Blocks.ReadBlockAsync(locations[0] with { StoreId = 9 }, new byte[100]));
        var first = new byte[100];
        await session.Blocks.ReadBlockAsync(locations[0], first);
        Assert.Equal(Filled(100, 1), first);
    }

    [Fact]
    public async Task Reads_run_alongside_writes()
    {
        IBlockStoreSession session = await OpenAsync(o => o.MaxCapacity = 64 * 1024);
        IReadOnlyList<StoreIndex> first = await session.Blocks.WriteBlocksAsync([Filled(500, 1)]);
        using var stop = new CancellationTokenSource();
        Task reader = Task.Run(async () =>
        {
            var buffer = new byte[500];
            while (!stop.IsCancellationRequested)
            {
                await session.Blocks.ReadBlockAsync(first[0], buffer);
                Assert.Equal(Filled(500, 1), buffer);
            }
        });

        for (int i = 0; i < 200; i++)
        {
            await session.Blocks.WriteBlocksAsync([Filled(700, (byte)i)]);
        }

        await stop.CancelAsync();
        await reader;
        Assert.True((await session.Blocks.GetStoresAsync()).Count > 1);
    }

    [Fact]
    public async Task Only_a_bounded_number_of_store_files_stay_open_however_many_are_read()
    {
        static void Tiny(BlockStoreOptions o) => o.MaxCapacity = FileHeader.Size + 100;
        IBlockStoreSession session = await OpenAsync(Tiny);
        var locations = new List<StoreIndex>();
        for (int i = 0; i < 100; i++)
        {
            locations.AddRange(await session.Blocks.WriteBlocksAsync([Filled(80, (byte)i)]));
        }

        Assert.Equal(100, (await session.Blocks.GetStoresAsync()).Count);
        Assert.InRange(OpenFilesUnder(StoresDir), 0, FileBlockStorage.MaxOpenStoreFiles);
        session = await ReopenAsync(session, Tiny);
        Assert.InRange(OpenFilesUnder(StoresDir), 0, FileBlockStorage.MaxOpenStoreFiles);

        var buffer = new byte[80];
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var mine = new byte[80];
            for (int i = 0; i < 100; i++)
            {
                await session.Blocks.ReadBlockAsync(locations[i], mine);
                Assert.Equal(Filled(80, (byte)i), mine);
            }
        })));

        Assert.InRange(OpenFilesUnder(StoresDir), 0, FileBlockStorage.MaxOpenStoreFiles);
        await session.Blocks.WriteBlocksAsync([Filled(80, 200)]);
        await session.Blocks.ReadBlockAsync(locations[0], buffer);
        Assert.Equal(Filled(80, 0), buffer);
        await CloseAsync(session);
        Assert.Equal(0, OpenFilesUnder(StoresDir));
    }

    [Fact]
    public async Task A_failed_open_leaves_no_file_of_the_data_set_open()
    {
        IBlockStoreSession session = await OpenAsync();
        await session.Checkpoints.SaveAsync([new KeyValuePair<string, long>("u", 1)]);
        await session.Blocks.WriteBlocksAsync([Filled(10, 1)]);
        await CloseAsync(session);
        DurableFiles.FailNextSync[DataDir] = true;

        await Assert.ThrowsAsync<IOException>(async () => await OpenAsync(o => o.Durability = Durability.Full));

        Assert.Equal(0, OpenFilesUnder(DataDir));
    }

    [Fact]
    public async Task Creating_the_data_directory_flushes_the_directory_that_holds_it()
    {
        string parent = Path.Combine(DataDir, "parent");
        Directory.CreateDirectory(parent);
        void Nested(BlockStoreOptions o)
        {
            o.DataDir = Path.Combine(parent, "data");
            o.Durability = Durability.Full;
        }

        DurableFiles.FailNextSync[parent] = true;

        var error = await Assert.ThrowsAsync<IOException>(async () => await OpenAsync(Nested));

        Assert.Contains(parent, error.Message, StringComparison.Ordinal);
        await CloseAsync(await OpenAsync(Nested));
    }

    private static async Task FlipByteAsync(string path, int offset)
    {
        byte[] bytes = await File.ReadAllBytesAsync(path);
        bytes[offset] ^= 0xFF;
        await File.WriteAllBytesAsync(path, bytes);
    }
}
