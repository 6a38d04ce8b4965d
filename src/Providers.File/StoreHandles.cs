using Microsoft.Win32.SafeHandles;

namespace BlockStore.Providers.File;

/// <summary>
/// The open store files: at most a fixed number at once, the least recently used closed first. A store in use by a read or
/// write is never closed under it; while every open one is in use the limit is passed, and caught up when they are returned.
/// </summary>
internal sealed class StoreHandles(int capacity) : IDisposable
{
    private readonly Lock _lock = new();

    /// <summary>The stores with an open handle, most recently used first.</summary>
    private readonly LinkedList<StoreFile> _open = new();
    private bool _disposed;

    /// <summary>Takes the handle that <paramref name="store"/> was just created with, so its first writes need no open.</summary>
    public void Adopt(StoreFile store, SafeFileHandle handle)
    {
        lock (_lock)
        {
            if (_disposed || store.Handle is not null)
            {
                handle.Dispose();
                return;
            }

            store.Handle = handle;
            store.Node = _open.AddFirst(store);
            CloseBeyondCapacity();
        }
    }

    /// <summary>Returns an open handle on <paramref name="store"/>, which stays open until it is given back with <see cref="Return"/>.</summary>
    public SafeFileHandle Rent(StoreFile store)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ThrowIfDeleted(store);
            if (store.Handle is { } open)
            {
                store.Users++;
                MoveToFront(store);
                return open;
            }
        }

        SafeFileHandle opened = DurableFiles.OpenExisting(store.Path);
        lock (_lock)
        {
            if (_disposed)
            {
                opened.Dispose();
                throw new ObjectDisposedException(nameof(StoreHandles));
            }

            if (store.Deleted)
            {
                opened.Dispose();
                ThrowIfDeleted(store);
            }

            if (store.Handle is null)
            {
                store.Handle = opened;
                store.Node = _open.AddFirst(store);
            }
            else
            {
                // Another reader opened it meanwhile.
                opened.Dispose();
                MoveToFront(store);
            }

            store.Users++;
            SafeFileHandle handle = store.Handle;
            CloseBeyondCapacity();
            return handle;
        }
    }

    /// <summary>Gives back a handle taken with <see cref="Rent"/>.</summary>
    public void Return(StoreFile store)
    {
        lock (_lock)
        {
            store.Users--;
            if (_disposed || store.Deleted)
            {
                if (store.Users == 0)
                {
                    Close(store);
                }
            }
            else if (_open.Count > capacity)
            {
                CloseBeyondCapacity();
            }
        }
    }

    /// <summary>Marks <paramref name="store"/>'s file as deleted: its handle is closed once no read uses it, and it is never opened again.</summary>
    public void Forget(StoreFile store)
    {
        lock (_lock)
        {
            store.Deleted = true;
            if (store.Handle is not null && store.Users == 0)
            {
                Close(store);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            for (LinkedListNode<StoreFile>? node = _open.First; node is not null;)
            {
                LinkedListNode<StoreFile>? next = node.Next;
                if (node.Value.Users == 0)
                {
                    Close(node.Value);
                }

                node = next;
            }
        }
    }

    private static void ThrowIfDeleted(StoreFile store)
    {
        if (store.Deleted)
        {
            throw new FileNotFoundException($"The store file '{store.Path}' was deleted: all its blocks were freed.", store.Path);
        }
    }

    private void MoveToFront(StoreFile store)
    {
        LinkedListNode<StoreFile> node = store.Node!;
        if (node != _open.First)
        {
            _open.Remove(node);
            _open.AddFirst(node);
        }
    }

    private void CloseBeyondCapacity()
    {
        for (LinkedListNode<StoreFile>? node = _open.Last; node is not null && _open.Count > capacity;)
        {
            LinkedListNode<StoreFile>? previous = node.Previous;
            if (node.Value.Users == 0)
            {
                Close(node.Value);
            }

            node = previous;
        }
    }

    private void Close(StoreFile store)
    {
        if (store.Handle is null)
        {
            return;
        }

        _open.Remove(store.Node!);
        store.Node = null;
        store.Handle!.Dispose();
        store.Handle = null;
    }
}
