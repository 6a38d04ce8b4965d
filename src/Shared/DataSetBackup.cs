namespace BlockStore.Providers;

/// <summary>
/// The file side of an online backup of a DataDir data set: a new private destination directory, files copied durably, and every
/// file of the DataDir but its lock, so the copy opens as the same data set.
/// </summary>
internal static class DataSetBackup
{
    /// <summary>Creates <paramref name="destination"/> (0700, with its missing parents) after checking it is new or empty and outside <paramref name="dataDir"/>.</summary>
    /// <returns>The full path of the destination.</returns>
    public static string CreateDestination(string dataDir, string destination)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(destination));
        string source = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDir));
        if (full == source || full.StartsWith(source + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The backup destination '{full}' is inside the data set '{source}'.", nameof(destination));
        }

        if (System.IO.File.Exists(full) || (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any()))
        {
            throw new ArgumentException($"The backup destination '{full}' exists and is not an empty directory.", nameof(destination));
        }

        PrivateFiles.CreateDirectory(full);
        return full;
    }

    /// <summary>Copies every file under <paramref name="dataDir"/> except its lock into <paramref name="destination"/>, each one flushed, then flushes the directories.</summary>
    public static void CopyDataDir(string dataDir, string destination, CancellationToken cancellationToken)
    {
        var directories = new HashSet<string>(StringComparer.Ordinal) { destination };
        foreach (string file in Directory.EnumerateFiles(dataDir, "*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            string relative = Path.GetRelativePath(dataDir, file);
            if (relative == DataDirectory.LockFileName)
            {
                continue;
            }

            string target = Path.Combine(destination, relative);
            string directory = Path.GetDirectoryName(target)!;
            if (directories.Add(directory))
            {
                PrivateFiles.CreateDirectory(directory);
            }

            CopyFile(file, target);
        }

        FlushDirectories(directories);
    }

    /// <summary>Copies one file into a new private file and flushes it to disk.</summary>
    public static void CopyFile(string source, string target)
    {
        using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var output = new FileStream(target, PrivateFiles.Options(FileMode.CreateNew, FileAccess.Write, FileShare.None));
        input.CopyTo(output);
        output.Flush(flushToDisk: true);
    }

    /// <summary>Flushes <paramref name="directories"/> and the parent of the outermost one, so the new entries survive a power cut.</summary>
    public static void FlushDirectories(IEnumerable<string> directories)
    {
        string? outermost = null;
        foreach (string directory in directories)
        {
            DirectorySync.Flush(directory, Durability.Full);
            outermost = outermost is null || directory.Length < outermost.Length ? directory : outermost;
        }

        if (outermost is not null && Path.GetDirectoryName(outermost) is { } parent)
        {
            DirectorySync.Flush(parent, Durability.Full);
        }
    }
}
