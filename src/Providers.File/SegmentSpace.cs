using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace BlockStore.Providers.File;

/// <summary>
/// Journal segment files sized once and then only overwritten: space allocated up front (<c>fallocate</c> on Linux), and appends
/// flushed with <c>fdatasync</c>, which skips the inode timestamps a commit does not need since the file size no longer changes.
/// </summary>
internal static partial class SegmentSpace
{
    /// <summary>Extends <paramref name="handle"/>'s file to <paramref name="length"/> bytes of allocated zeros (a sparse extension where allocation is not supported).</summary>
    public static void Preallocate(SafeFileHandle handle, long length)
    {
        if (RandomAccess.GetLength(handle) >= length)
        {
            return;
        }

        if (!OperatingSystem.IsLinux() || Fallocate(handle, 0, 0, length) != 0)
        {
            RandomAccess.SetLength(handle, length);
        }
    }

    /// <summary>Flushes a file's data, and the metadata needed to read it back, when <paramref name="durability"/> is <see cref="Durability.Full"/>.</summary>
    public static void FlushData(SafeFileHandle handle, Durability durability)
    {
        if (durability != Durability.Full)
        {
            return;
        }

        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(handle);
        }
        else if (Fdatasync(handle) != 0)
        {
            throw new IOException($"Flushing a journal segment failed (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    [LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    private static partial int Fallocate(SafeFileHandle handle, int mode, long offset, long length);

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int Fdatasync(SafeFileHandle handle);
}
