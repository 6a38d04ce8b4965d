using Microsoft.Win32.SafeHandles;

namespace BlockStore.Providers.File;

/// <summary>
/// The file operations that change what the provider keeps on disk: creating and opening files, positional writes, lengths,
/// flushes to stable storage, renames, deletions and directory flushes. Reads go straight to the file.
/// </summary>
/// <remarks><see cref="FileIo.Current"/> is the operating system's file system unless a test substitutes a recording one.</remarks>
internal interface IFileIo
{
    /// <summary>Opens or creates <paramref name="path"/> as <paramref name="options"/> describe and returns its handle.</summary>
    SafeFileHandle Open(string path, FileStreamOptions options);

    /// <summary>Writes <paramref name="bytes"/> at <paramref name="offset"/>.</summary>
    void Write(SafeFileHandle handle, ReadOnlySpan<byte> bytes, long offset);

    /// <summary>Writes <paramref name="buffers"/> one after the other from <paramref name="offset"/>.</summary>
    void Write(SafeFileHandle handle, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long offset);

    /// <summary>Cuts or extends the file to <paramref name="length"/> bytes.</summary>
    void SetLength(SafeFileHandle handle, long length);

    /// <summary>Extends the file to <paramref name="length"/> bytes of allocated zeros; a longer file is left as it is.</summary>
    void Preallocate(SafeFileHandle handle, long length);

    /// <summary>Flushes the file's data and metadata to stable storage (<c>fsync</c>).</summary>
    void FlushToDisk(SafeFileHandle handle);

    /// <summary>Flushes the file's data and the metadata needed to read it back (<c>fdatasync</c>).</summary>
    void FlushData(SafeFileHandle handle);

    /// <summary>Renames <paramref name="source"/> to <paramref name="destination"/>, replacing it when <paramref name="overwrite"/>.</summary>
    void Move(string source, string destination, bool overwrite);

    /// <summary>Deletes <paramref name="path"/>; a missing file is not an error.</summary>
    void Delete(string path);

    /// <summary>Makes creations, renames and deletions in <paramref name="directory"/> durable (<c>fsync</c> of the directory).</summary>
    void FlushDirectory(string directory);
}
