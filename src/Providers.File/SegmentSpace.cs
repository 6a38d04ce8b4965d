using Microsoft.Win32.SafeHandles;

namespace BlockStore.Providers.File;

/// <summary>
/// Journal segment files sized once and then only overwritten: space allocated up front (<c>fallocate</c> on Linux), and appends
/// flushed with <c>fdatasync</c>, which skips the inode timestamps a commit does not need since the file size no longer changes.
/// </summary>
internal static class SegmentSpace
{
    /// <summary>Extends <paramref name="handle"/>'s file to <paramref name="length"/> bytes of allocated zeros (a sparse extension where allocation is not supported).</summary>
    public static void Preallocate(SafeFileHandle handle, long length) => FileIo.Current.Preallocate(handle, length);

    /// <summary>Flushes a file's data, and the metadata needed to read it back, when <paramref name="durability"/> is <see cref="Durability.Full"/>.</summary>
    public static void FlushData(SafeFileHandle handle, Durability durability)
    {
        if (durability == Durability.Full)
        {
            FileIo.Current.FlushData(handle);
        }
    }
}
