using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace BlockStore.Providers.File;

/// <summary>The <see cref="IFileIo"/> in use: the operating system's, or one a test substitutes for the code that runs under it.</summary>
internal static partial class FileIo
{
    private static readonly AsyncLocal<IFileIo?> Substitute = new();

    /// <summary>The operating system's file operations.</summary>
    public static IFileIo System { get; } = new SystemFileIo();

    /// <summary>The file operations of the current flow of execution.</summary>
    public static IFileIo Current => Substitute.Value ?? System;

    /// <summary>Runs the code that follows in this flow of execution (and the tasks and threads it starts) on <paramref name="io"/> until disposed.</summary>
    public static IDisposable Use(IFileIo io)
    {
        IFileIo? previous = Substitute.Value;
        Substitute.Value = io;
        return new Restore(previous);
    }

    private sealed class Restore(IFileIo? previous) : IDisposable
    {
        public void Dispose() => Substitute.Value = previous;
    }

    private sealed partial class SystemFileIo : IFileIo
    {
        public SafeFileHandle Open(string path, FileStreamOptions options)
        {
            var stream = new FileStream(path, options);
            SafeFileHandle handle = stream.SafeFileHandle;
            GC.SuppressFinalize(stream);
            return handle;
        }

        public void Write(SafeFileHandle handle, ReadOnlySpan<byte> bytes, long offset) => RandomAccess.Write(handle, bytes, offset);

        public void Write(SafeFileHandle handle, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long offset) => RandomAccess.Write(handle, buffers, offset);

        public void SetLength(SafeFileHandle handle, long length) => RandomAccess.SetLength(handle, length);

        public void Preallocate(SafeFileHandle handle, long length)
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

        public void FlushToDisk(SafeFileHandle handle) => RandomAccess.FlushToDisk(handle);

        public void FlushData(SafeFileHandle handle)
        {
            if (!OperatingSystem.IsLinux())
            {
                RandomAccess.FlushToDisk(handle);
            }
            else if (Fdatasync(handle) != 0)
            {
                throw new IOException($"Flushing a journal segment failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }

        public void Move(string source, string destination, bool overwrite) => global::System.IO.File.Move(source, destination, overwrite);

        public void Delete(string path) => global::System.IO.File.Delete(path);

        public void FlushDirectory(string directory) => DirectorySync.Flush(directory, Durability.Full);

        [LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
        private static partial int Fallocate(SafeFileHandle handle, int mode, long offset, long length);

        [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
        private static partial int Fdatasync(SafeFileHandle handle);
    }
}
