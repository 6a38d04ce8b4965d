using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace BlockStore.Providers.File;

/// <summary>One open store file (<c>stores/store-NNNNNN.dat</c>): a header, then blocks appended at increasing offsets.</summary>
internal sealed class StoreFile(long id, string path, long capacity, SafeFileHandle handle)
{
    private long _used = FileHeader.Size;

    public long Id { get; } = id;

    public string Path { get; } = path;

    /// <summary>The capacity recorded in the store's header.</summary>
    public long Capacity { get; } = capacity;

    /// <summary>The open file, shared by the writer and all readers (positional I/O only).</summary>
    public SafeFileHandle Handle { get; } = handle;

    /// <summary>The bytes in use: the header, every block written, and unreferenced bytes of interrupted writes.</summary>
    public long Used
    {
        get => Volatile.Read(ref _used);
        set => Volatile.Write(ref _used, value);
    }

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

    public StoreInfo ToInfo() => new(Id, Capacity, Used);
}
