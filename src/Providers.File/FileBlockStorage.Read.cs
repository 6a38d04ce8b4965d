using Microsoft.Win32.SafeHandles;

namespace BlockStore.Providers.File;

/// <summary>Reading: positional reads on a handle rented from <see cref="StoreHandles"/>, safe alongside the writer and other readers.</summary>
internal sealed partial class FileBlockStorage
{
    public ValueTask ReadBlockAsync(StoreIndex location, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (destination.Length != location.Size)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; the block is {location.Size}.", nameof(destination));
        }

        cancellationToken.ThrowIfCancellationRequested();
        StoreFile store = Find(location.StoreId)
            ?? throw new CorruptBlockException(location.StoreId, location.Offset, "no such store file exists");
        long used = store.Used;
        if (location.Offset < FileHeader.Size || location.Size < 0 || location.Offset > used - location.Size)
        {
            throw new CorruptBlockException(
                location.StoreId, location.Offset, $"a block of {location.Size} bytes there lies outside the {used} bytes the store file holds");
        }

        SafeFileHandle handle;
        try
        {
            handle = _handles.Rent(store);
        }
        catch (IOException ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CorruptBlockException(location.StoreId, location.Offset, $"the store file '{store.Path}' is missing");
        }

        try
        {
            Span<byte> span = destination.Span;
            int read = 0;
            while (read < span.Length)
            {
                int n = RandomAccess.Read(handle, span[read..], location.Offset + read);
                if (n == 0)
                {
                    throw new CorruptBlockException(location.StoreId, location.Offset, $"the store file ends {span.Length - read} bytes before the block does");
                }

                read += n;
            }
        }
        finally
        {
            _handles.Return(store);
        }

        if (!destination.Span.ContainsAnyExcept((byte)0))
        {
            // Freed blocks are zeroed in place; no block is all zeros, so these bytes are never returned as data.
            throw new CorruptBlockException(location.StoreId, location.Offset, "the block was freed (its bytes are zeros)");
        }

        return ValueTask.CompletedTask;
    }

    private StoreFile? Find(long id)
    {
        StoreFile[] stores = Volatile.Read(ref _stores);
        int low = 0;
        int high = stores.Length - 1;
        while (low <= high)
        {
            int mid = (low + high) >>> 1;
            long midId = stores[mid].Id;
            if (midId == id)
            {
                return stores[mid];
            }

            if (midId < id)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return null;
    }
}
