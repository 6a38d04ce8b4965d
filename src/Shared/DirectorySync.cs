using System.Runtime.InteropServices;

namespace BlockStore.Providers;

/// <summary>Makes creations, renames and deletions in a directory durable: an fsync of the directory on Linux.</summary>
internal static partial class DirectorySync
{
    /// <summary>Flushes <paramref name="directory"/> when <paramref name="durability"/> is <see cref="Durability.Full"/> and the system is Linux.</summary>
    public static void Flush(string directory, Durability durability)
    {
        if (durability != Durability.Full || !OperatingSystem.IsLinux())
        {
            return;
        }

        int fd = Open(directory, 0);
        if (fd < 0)
        {
            throw new IOException($"Opening the directory '{directory}' to flush it failed (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"Flushing the directory '{directory}' failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
