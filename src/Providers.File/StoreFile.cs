using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace BlockStore.Providers.File;

/// <summary>One store file (<c>stores/store-NNNNNN.dat</c>): a header, then blocks appended at increasing offsets.</summary>
internal sealed class StoreFile(long id, string path, long capacity)
{
    private long _used = FileHeader.Size;
    private long _freed;

    public long Id { get; } = id;

    public string Path { get; } = path;

    /// <summary>The capacity recorded in the store's header.</summary>
    public long Capacity { get; } = capacity;

    /// <summary>The open file while <see cref="StoreHandles"/> keeps it open, shared by the writer and readers (positional I/O only).</summary>
    public SafeFileHandle? Handle { get; set; }

    /// <summary>The reads and writes using <see cref="Handle"/> now; guarded by <see cref="StoreHandles"/>.</summary>
    public int Users { get; set; }

    /// <summary>The store's place in the list of open stores; guarded by <see cref="StoreHandles"/>.</summary>
    public LinkedListNode<StoreFile>? Node { get; set; }

    /// <summary>The bytes in use: the header, every block written, and unreferenced bytes of interrupted writes.</summary>
    public long Used
    {
        get => Volatile.Read(ref _used);
        set => Volatile.Write(ref _used, value);
    }

    /// <summary>The bytes of freed blocks, zeroed in place; guarded by the storage's write lock for writes.</summary>
    public long Freed
    {
        get => Volatile.Read(ref _freed);
        set => Volatile.Write(ref _freed, value);
    }

    /// <summary>Whether every byte after the header belongs to a freed block.</summary>
    public bool AllFreed => Freed >= Used - FileHeader.Size;

    /// <summary>Whether the file was deleted (all its blocks freed); guarded by <see cref="StoreHandles"/>.</summary>
    public bool Deleted { get; set; }

    /// <summary>The file name of store <paramref name="id"/>; derived from the id only.</summary>
    public static string FileName(long id) => "store-" + id.ToString("D6", CultureInfo.InvariantCulture) + ".dat";

    /// <summary>Parses a store file name back to its id.</summary>
    public static bool TryParse(string fileName, out long id)
    {
        id = 0;
        return fileName.StartsWith("store-", StringComparison.Ordinal)
            && fileName.EndsWith(".dat", StringComparison.Ordinal)
            && long.TryParse(fileName.AsSpan(6, fileName.Length - 10), NumberStyles.None, CultureInfo.InvariantCulture, out id)
            && id > 0;
    }

    /// <summary>The store as reported: its bytes in use less those of freed blocks.</summary>
    public StoreInfo ToInfo() => new(Id, Capacity, Used - Freed);
}
