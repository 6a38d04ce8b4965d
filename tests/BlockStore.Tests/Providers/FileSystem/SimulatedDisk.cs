using System.Runtime.CompilerServices;
using BlockStore.Providers.File;
using Microsoft.Win32.SafeHandles;

namespace BlockStore.Tests.Providers.FileSystem;

/// <summary>
/// A disk that remembers what was flushed: every operation is carried out on the real files under <see cref="Root"/> (so the
/// provider reads back what it wrote) and recorded, so <see cref="Replay"/> can rebuild the state a power cut would leave at any point.
/// </summary>
internal sealed class SimulatedDisk(string root) : IFileIo
{
    private readonly Lock _lock = new();
    private readonly List<DiskEvent> _events = [];
    private readonly Dictionary<string, int> _names = new(StringComparer.Ordinal);
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly ConditionalWeakTable<SafeFileHandle, StrongBox<int>> _handles = [];
    private int _nextFile;

    /// <summary>The directory whose files the disk records.</summary>
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>How many operations have been recorded: a crash point between the last one and the next.</summary>
    public int Position
    {
        get
        {
            lock (_lock)
            {
                return _events.Count;
            }
        }
    }

    /// <summary>The recorded operations, in the order they completed.</summary>
    public IReadOnlyList<DiskEvent> Events
    {
        get
        {
            lock (_lock)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Whether <paramref name="path"/> was ever created or opened through the disk.</summary>
    public bool Recorded(string path)
    {
        lock (_lock)
        {
            return _seen.Contains(Path.GetFullPath(path));
        }
    }

    public SafeFileHandle Open(string path, FileStreamOptions options)
    {
        string full = Path.GetFullPath(path);
        SafeFileHandle handle = FileIo.System.Open(path, options);
        lock (_lock)
        {
            _seen.Add(full);
            if (_names.TryGetValue(full, out int file))
            {
                if (options.Mode is FileMode.Create or FileMode.Truncate)
                {
                    _events.Add(new DiskEvent.Resize(file, 0));
                }
            }
            else
            {
                file = _nextFile++;
                _names[full] = file;
                _events.Add(options.Mode is FileMode.Create or FileMode.CreateNew
                    ? new DiskEvent.Link(full, file)
                    : new DiskEvent.Adopt(full, file, ReadAll(handle)));
            }

            _handles.AddOrUpdate(handle, new StrongBox<int>(file));
        }

        return handle;
    }

    public void Write(SafeFileHandle handle, ReadOnlySpan<byte> bytes, long offset)
    {
        FileIo.System.Write(handle, bytes, offset);
        Record(new DiskEvent.Write(FileOf(handle), offset, bytes.ToArray()));
    }

    public void Write(SafeFileHandle handle, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long offset)
    {
        FileIo.System.Write(handle, buffers, offset);
        var bytes = new List<byte>();
        foreach (ReadOnlyMemory<byte> buffer in buffers)
        {
            bytes.AddRange(buffer.Span);
        }

        Record(new DiskEvent.Write(FileOf(handle), offset, [.. bytes]));
    }

    public void SetLength(SafeFileHandle handle, long length)
    {
        FileIo.System.SetLength(handle, length);
        Record(new DiskEvent.Resize(FileOf(handle), length));
    }

    public void Preallocate(SafeFileHandle handle, long length)
    {
        FileIo.System.Preallocate(handle, length);
        Record(new DiskEvent.Resize(FileOf(handle), RandomAccess.GetLength(handle)));
    }

    public void FlushToDisk(SafeFileHandle handle)
    {
        FileIo.System.FlushToDisk(handle);
        Record(new DiskEvent.Sync(FileOf(handle)));
    }

    public void FlushData(SafeFileHandle handle)
    {
        FileIo.System.FlushData(handle);
        Record(new DiskEvent.Sync(FileOf(handle)));
    }

    public void Move(string source, string destination, bool overwrite)
    {
        FileIo.System.Move(source, destination, overwrite);
        lock (_lock)
        {
            string from = Path.GetFullPath(source);
            string to = Path.GetFullPath(destination);
            _seen.Add(to);
            if (_names.Remove(from, out int file))
            {
                _names[to] = file;
                _events.Add(new DiskEvent.Rename(from, to));
            }
        }
    }

    public void Delete(string path)
    {
        FileIo.System.Delete(path);
        lock (_lock)
        {
            string full = Path.GetFullPath(path);
            if (_names.Remove(full))
            {
                _events.Add(new DiskEvent.Unlink(full));
            }
        }
    }

    public void FlushDirectory(string directory)
    {
        FileIo.System.FlushDirectory(directory);
        Record(new DiskEvent.SyncDirectory(Path.GetFullPath(directory)));
    }

    private static byte[] ReadAll(SafeFileHandle handle)
    {
        var bytes = new byte[RandomAccess.GetLength(handle)];
        int read = 0;
        while (read < bytes.Length)
        {
            read += RandomAccess.Read(handle, bytes.AsSpan(read), read);
        }

        return bytes;
    }

    private int FileOf(SafeFileHandle handle)
    {
        lock (_lock)
        {
            return _handles.TryGetValue(handle, out StrongBox<int>? file)
                ? file.Value
                : throw new InvalidOperationException("A handle not opened through the simulated disk was written.");
        }
    }

    private void Record(DiskEvent e)
    {
        lock (_lock)
        {
            _events.Add(e);
        }
    }
}

/// <summary>One operation the <see cref="SimulatedDisk"/> recorded.</summary>
internal abstract record DiskEvent
{
    /// <summary>A file that existed before recording started: durable with <paramref name="Content"/>.</summary>
    public sealed record Adopt(string Path, int File, byte[] Content) : DiskEvent;

    /// <summary>A new empty file at <paramref name="Path"/>; its name is durable only after its directory is flushed.</summary>
    public sealed record Link(string Path, int File) : DiskEvent;

    /// <summary>Bytes written at an offset; durable only after the file is flushed.</summary>
    public sealed record Write(int File, long Offset, byte[] Bytes) : DiskEvent;

    /// <summary>The file's length set; durable only after the file is flushed.</summary>
    public sealed record Resize(int File, long Length) : DiskEvent;

    /// <summary>The file's data made durable (<c>fsync</c> or <c>fdatasync</c>).</summary>
    public sealed record Sync(int File) : DiskEvent;

    /// <summary>A rename within one directory; durable only after the directory is flushed.</summary>
    public sealed record Rename(string Source, string Destination) : DiskEvent;

    /// <summary>A deletion; durable only after the directory is flushed.</summary>
    public sealed record Unlink(string Path) : DiskEvent;

    /// <summary>The directory's entries made durable.</summary>
    public sealed record SyncDirectory(string Directory) : DiskEvent;

    /// <summary>Whether this operation makes something durable (a point where a power cut is most telling).</summary>
    public bool IsFlush => this is Sync or SyncDirectory;
}
