namespace BlockStore.Sample;

/// <summary>The sample's data directory: emptied before a run so runs are reproducible, and measured for the summary.</summary>
internal static class DataDirectory
{
    private static readonly StringComparison PathComparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;

    /// <summary>Deletes <paramref name="path"/> and everything in it, refusing a directory that holds the app, the working directory or the home directory.</summary>
    public static void Reset(string path)
    {
        string directory = Normalize(path);
        string[] protectedPaths =
        [
            Path.GetPathRoot(directory) ?? directory,
            Environment.CurrentDirectory,
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
            AppContext.BaseDirectory,
        ];
        if (protectedPaths.Any(p => p.Length > 0 && IsSameOrAncestor(directory, Normalize(p))))
        {
            throw new InvalidOperationException(
                $"Refusing to delete '{directory}': BlockStore:DataDir must be a directory of its own. Point it elsewhere or set Sample:KeepData=true.");
        }

        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The bytes of all files under <paramref name="path"/>, 0 when it does not exist.</summary>
    public static long SizeInBytes(string path)
    {
        var directory = new DirectoryInfo(path);
        return directory.Exists ? directory.EnumerateFiles("*", SearchOption.AllDirectories).Sum(static f => f.Length) : 0;
    }

    private static string Normalize(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    private static bool IsSameOrAncestor(string directory, string path) =>
        path.StartsWith(directory, PathComparison)
        && (path.Length == directory.Length
            || path[directory.Length] == Path.DirectorySeparatorChar
            || directory.EndsWith(Path.DirectorySeparatorChar));
}
