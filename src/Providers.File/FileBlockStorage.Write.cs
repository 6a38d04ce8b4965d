using Microsoft.Win32.SafeHandles;

namespace BlockStore.Providers.File;

/// <summary>Writing: blocks are appended to the newest store; a block that does not fit starts the next store file.</summary>
internal sealed partial class FileBlockStorage
{
    public ValueTask<IReadOnlyList<StoreIndex>> WriteBlocksAsync(IReadOnlyList<ReadOnlyMemory<byte>> blocks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        cancellationToken.ThrowIfCancellationRequested();
        for (int i = 0; i < blocks.Count; i++)
        {
            if (blocks[i].Length > MaxBlockSize)
            {
                throw new ArgumentException($"Block {i} is {blocks[i].Length} bytes; a store holds blocks of at most {MaxBlockSize}.", nameof(blocks));
            }
        }

        var locations = new StoreIndex[blocks.Count];
        DateTimeOffset now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        lock (_writeLock)
        {
            StoreFile[] stores = _stores;
            StoreFile? current = stores.Length == 0 ? null : stores[^1];
            long offset = current?.Used ?? 0;
            var run = new List<ReadOnlyMemory<byte>>();
            var touched = new List<StoreFile>(1);
            try
            {
                for (int i = 0; i < blocks.Count; i++)
                {
                    ReadOnlyMemory<byte> block = blocks[i];
                    if (current is null || offset + block.Length > Math.Min(current.Capacity, _capacity) || (i == 0 && _rollBeforeNextWrite))
                    {
                        _rollBeforeNextWrite = false;
                        if (current is not null)
                        {
                            WriteRun(current, run, offset, touched);
                        }

                        current = AddStore((current?.Id ?? 0) + 1);
                        offset = current.Used;
                    }

                    run.Add(block);
                    locations[i] = new StoreIndex(current.Id, offset, block.Length, now);
                    offset += block.Length;
                }

                if (current is not null)
                {
                    WriteRun(current, run, offset, touched);
                }

                foreach (StoreFile store in touched)
                {
                    DurableFiles.Flush(store.Handle!, _durability);
                }
            }
            finally
            {
                foreach (StoreFile store in touched)
                {
                    _handles.Return(store);
                }
            }
        }

        return ValueTask.FromResult<IReadOnlyList<StoreIndex>>(locations);
    }

    /// <summary>Writes the consecutive blocks bound for one store in one gathered write ending at <paramref name="end"/>.</summary>
    /// <remarks>The store's handle is rented and added to <paramref name="touched"/>, whose stores the caller returns.</remarks>
    private void WriteRun(StoreFile store, List<ReadOnlyMemory<byte>> run, long end, List<StoreFile> touched)
    {
        if (run.Count == 0)
        {
            return;
        }

        SafeFileHandle handle = _handles.Rent(store);
        touched.Add(store);
        FileIo.Current.Write(handle, run, store.Used);
        store.Used = end;
        run.Clear();
    }

    /// <summary>Creates the store file for <paramref name="id"/> (header written and flushed before the file appears) and publishes it.</summary>
    private StoreFile AddStore(long id)
    {
        string path = Path.Combine(_directory, StoreFile.FileName(id));
        SafeFileHandle handle = DurableFiles.CreateWithHeader(path, FileHeader.Create(FileKind.Store, id, _capacity), _durability);
        var store = new StoreFile(id, path, _capacity);
        _handles.Adopt(store, handle);
        Volatile.Write(ref _stores, [.. _stores, store]);
        return store;
    }
}
