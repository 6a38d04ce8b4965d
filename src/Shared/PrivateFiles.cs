namespace BlockStore.Providers;

/// <summary>Files and directories only their owner can use (0600 and 0700 on Unix): chat history is private data.</summary>
internal static class PrivateFiles
{
    /// <summary>The permissions of every file of a data set: read and write for the owner.</summary>
    public const UnixFileMode FilePermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The permissions of every directory of a data set: read, write and search for the owner.</summary>
    public const UnixFileMode DirectoryPermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const UnixFileMode ReadableByOthers = UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Options for a <see cref="FileStream"/> that creates its file with <see cref="FilePermissions"/> when <paramref name="mode"/> creates one.</summary>
    public static FileStreamOptions Options(FileMode mode, FileAccess access, FileShare share, int bufferSize = 4096, FileOptions options = FileOptions.None)
    {
        var result = new FileStreamOptions { Mode = mode, Access = access, Share = share, BufferSize = bufferSize, Options = options };
        if (!OperatingSystem.IsWindows() && mode is not (FileMode.Open or FileMode.Truncate))
        {
            result.UnixCreateMode = FilePermissions;
        }

        return result;
    }

    /// <summary>Creates <paramref name="path"/> and its missing parents with <see cref="DirectoryPermissions"/>; an existing directory is left as it is.</summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, DirectoryPermissions);
        }
    }

    /// <summary>The directory <paramref name="root"/> and the entries under it that accounts other than the owner may read (none on Windows).</summary>
    public static IReadOnlyList<string> FindReadableByOthers(string root)
    {
        var found = new List<string>();
        if (OperatingSystem.IsWindows())
        {
            return found;
        }

        if ((System.IO.File.GetUnixFileMode(root) & ReadableByOthers) != 0)
        {
            found.Add(root);
        }

        foreach (FileSystemInfo entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            if ((entry.UnixFileMode & ReadableByOthers) != 0)
            {
                found.Add(entry.FullName);
            }
        }

        return found;
    }
}
