using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;

namespace BlockStore.Providers.File;

/// <summary>File operations that honour <see cref="Durability"/>: fsync of files, and of directories after a create, rename or delete.</summary>
internal static class DurableFiles
{
    /// <summary>The suffix of files being created; a crash can leave one behind, and opening deletes it.</summary>
    public const string TempSuffix = ".tmp";

    /// <summary>Directories whose next flush fails once (a test seam for what a failed directory fsync leaves behind).</summary>
    internal static readonly ConcurrentDictionary<string, bool> FailNextSync = new(StringComparer.Ordinal);

    /// <summary>Opens an existing file for positional reads and writes.</summary>
    public static SafeFileHandle OpenExisting(string path) =>
        FileIo.Current.Open(path, PrivateFiles.Options(FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0));

    /// <summary>
    /// Creates <paramref name="path"/> holding only <paramref name="header"/>: written to a temporary file, flushed, then renamed
    /// (over an existing file when <paramref name="overwrite"/>), so the file is either absent or complete. Returns the open file.
    /// </summary>
    public static SafeFileHandle CreateWithHeader(string path, FileHeader header, Durability durability, bool overwrite = false)
    {
        string temp = path + TempSuffix;
        Span<byte> bytes = stackalloc byte[FileHeader.Size];
        header.Write(bytes);
        using (SafeFileHandle file = FileIo.Current.Open(temp, PrivateFiles.Options(FileMode.Create, FileAccess.ReadWrite, FileShare.None, bufferSize: 0)))
        {
            FileIo.Current.Write(file, bytes, 0);
            Flush(file, durability);
        }

        FileIo.Current.Move(temp, path, overwrite);
        SyncDirectory(Path.GetDirectoryName(path)!, durability);
        return OpenExisting(path);
    }

    /// <summary>Flushes a file's data to stable storage when <paramref name="durability"/> is <see cref="Durability.Full"/>.</summary>
    public static void Flush(SafeFileHandle handle, Durability durability)
    {
        if (durability == Durability.Full)
        {
            FileIo.Current.FlushToDisk(handle);
        }
    }

    /// <summary>Deletes the temporary files a crash may have left in <paramref name="directory"/>.</summary>
    public static void DeleteLeftovers(string directory)
    {
        foreach (string temp in Directory.EnumerateFiles(directory, "*" + TempSuffix))
        {
            FileIo.Current.Delete(temp);
        }
    }

    /// <summary>Makes creations, renames and deletions in <paramref name="directory"/> durable (fsync of the directory on Linux).</summary>
    public static void SyncDirectory(string directory, Durability durability)
    {
        if (durability == Durability.Full && !FailNextSync.IsEmpty && FailNextSync.TryRemove(directory, out _))
        {
            throw new IOException($"Flushing the directory '{directory}' failed (injected).");
        }

        if (durability == Durability.Full)
        {
            FileIo.Current.FlushDirectory(directory);
        }
    }
}
