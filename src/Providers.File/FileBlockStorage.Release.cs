using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace BlockStore.Providers.File;

/// <summary>
/// Freeing blocks: a freed block's bytes are overwritten with zeros in place and flushed, then the store's freed total is
/// logged in <c>meta/freed.log</c> (record: count i32 | count × (store id i64, bytes freed in it i64), the newest total wins).
/// A block that already reads as zeros was freed before (a block's bytes are never all zeros), so freeing twice counts once; a
/// crash between the zeros and the log record can only leave a block uncounted, never a live one counted. A store whose freed
/// bytes reach its used bytes, other than the newest (where blocks are appended), is deleted.
/// </summary>
internal sealed partial class FileBlockStorage
{
    private const int ZeroChunkBytes = 256 * 1024;

    public ValueTask ReleaseBlocksAsync(IReadOnlyList<StoreIndex> blocks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            var freed = new Dictionary<StoreFile, long>();
            for (int i = 0; i < blocks.Count; i++)
            {
                StoreIndex block = blocks[i];
                StoreFile? store = Find(block.StoreId);
                if (store is null)
                {
                    // Its store was deleted: every block of it is freed already.
                    continue;
                }

                if (block.Size <= 0 || block.Offset < FileHeader.Size || block.Offset > store.Used - block.Size)
                {
                    throw new ArgumentException(
                        $"Block {i} ({block.Size} bytes at offset {block.Offset}) lies outside the {store.Used} bytes of store {block.StoreId}.", nameof(blocks));
                }
            }

            foreach (StoreIndex block in blocks)
            {
                if (Find(block.StoreId) is { } store && Zero(store, block.Offset, block.Size))
                {
                    freed[store] = freed.GetValueOrDefault(store) + block.Size;
                }
            }

            foreach (StoreFile store in freed.Keys)
            {
                SafeFileHandle handle = _handles.Rent(store);
                try
                {
                    SegmentSpace.FlushData(handle, _durability);
                }
                finally
                {
                    _handles.Return(store);
                }
            }

            if (freed.Count > 0)
            {
                _record.Clear();
                _record.WriteInt32(freed.Count);
                foreach ((StoreFile store, long bytes) in freed)
                {
                    _record.WriteInt64(store.Id);
                    _record.WriteInt64(store.Freed + bytes);
                }

                _freed.Append(_record.WrittenSpan);
                foreach ((StoreFile store, long bytes) in freed)
                {
                    store.Freed += bytes;
                }

                _freed.CompactIfDue(_freedSnapshot);
                Reclaim();
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The least a store must have freed before a compaction empties it: moving its other blocks must pay off.</summary>
    private const long MinFreedToEmpty = 64 * 1024;

    /// <summary>Set when the newest store is mostly freed: the next write starts a new store, so the old one can be emptied and deleted.</summary>
    private bool _rollBeforeNextWrite;

    /// <summary>
    /// The stores at least half freed (and by at least <see cref="MinFreedToEmpty"/> bytes): moving their remaining blocks lets
    /// them be deleted whole, which gives the freed space back (zeroed bytes inside a file do not shrink it). When the newest
    /// store is one of them, the next write starts a new store, so the blocks moved out do not land in it again.
    /// </summary>
    public ValueTask<IReadOnlyList<long>> GetStoresToEmptyAsync(CancellationToken cancellationToken = default)
    {
        lock (_writeLock)
        {
            StoreFile[] stores = _stores;
            var empty = new List<long>();
            for (int i = 0; i < stores.Length; i++)
            {
                StoreFile store = stores[i];
                long blocks = store.Used - FileHeader.Size;
                if (!store.AllFreed && store.Freed >= MinFreedToEmpty && 2 * store.Freed >= blocks)
                {
                    empty.Add(store.Id);
                    _rollBeforeNextWrite |= i == stores.Length - 1;
                }
            }

            return ValueTask.FromResult<IReadOnlyList<long>>(empty);
        }
    }

    /// <summary>Deletes the file of every store whose blocks are all freed, other than the newest, where blocks are appended.</summary>
    public void Reclaim()
    {
        lock (_writeLock)
        {
            StoreFile[] stores = _stores;
            var kept = new List<StoreFile>(stores.Length);
            for (int i = 0; i < stores.Length; i++)
            {
                if (i < stores.Length - 1 && stores[i].AllFreed)
                {
                    FileIo.Current.Delete(stores[i].Path);
                    _handles.Forget(stores[i]);
                }
                else
                {
                    kept.Add(stores[i]);
                }
            }

            if (kept.Count < stores.Length)
            {
                Volatile.Write(ref _stores, [.. kept]);
                DurableFiles.SyncDirectory(_directory, _durability);
            }
        }
    }

    /// <summary>Overwrites <paramref name="size"/> bytes at <paramref name="offset"/> of <paramref name="store"/> with zeros unless they are zeros already; true when it wrote.</summary>
    private bool Zero(StoreFile store, long offset, int size)
    {
        SafeFileHandle handle = _handles.Rent(store);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Min(size, ZeroChunkBytes));
        try
        {
            if (IsZero(handle, offset, size, buffer))
            {
                return false;
            }

            Array.Clear(buffer);
            for (int done = 0; done < size;)
            {
                int chunk = Math.Min(buffer.Length, size - done);
                FileIo.Current.Write(handle, buffer.AsSpan(0, chunk), offset + done);
                done += chunk;
            }

            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _handles.Return(store);
        }
    }

    /// <summary>Whether the range reads as zeros only; a range cut short by the file's end counts as not zero.</summary>
    private static bool IsZero(SafeFileHandle handle, long offset, int size, byte[] buffer)
    {
        for (int done = 0; done < size;)
        {
            int read = RandomAccess.Read(handle, buffer.AsSpan(0, Math.Min(buffer.Length, size - done)), offset + done);
            if (read == 0 || buffer.AsSpan(0, read).ContainsAnyExcept((byte)0))
            {
                return false;
            }

            done += read;
        }

        return true;
    }

    /// <summary>Applies one record of the freed-space log: the newest total of each store it names; stores deleted since are skipped.</summary>
    private void ReplayFreed(ReadOnlySpan<byte> body)
    {
        var reader = new RecordReader(body);
        int count = reader.ReadInt32();
        if (count < 0)
        {
            throw new InvalidDataException($"Negative count {count}.");
        }

        for (int i = 0; i < count; i++)
        {
            long id = reader.ReadInt64();
            long bytes = reader.ReadInt64();
            if (bytes < 0)
            {
                throw new InvalidDataException($"Store {id} has {bytes} bytes freed.");
            }

            if (Find(id) is { } store)
            {
                store.Freed = bytes;
            }
        }

        if (!reader.AtEnd)
        {
            throw new InvalidDataException("The record has trailing bytes.");
        }
    }

    /// <summary>Writes the freed totals of the stores that have any.</summary>
    private void WriteFreedSnapshot(SnapshotWriter writer)
    {
        var chunks = new SnapshotChunks(writer, _record);
        foreach (StoreFile store in _stores)
        {
            if (store.Freed > 0)
            {
                _record.WriteInt64(store.Id);
                _record.WriteInt64(store.Freed);
                chunks.Added();
            }
        }

        chunks.Finish();
    }
}
