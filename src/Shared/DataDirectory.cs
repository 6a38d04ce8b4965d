using System.Globalization;
using System.Text;

namespace BlockStore.Providers;

/// <summary>
/// A DataDir opened for one provider: created private to its owner, locked whatever the provider, and marked with the
/// provider and format it holds, so no other provider opens it as an empty data set.
/// </summary>
/// <remarks>
/// <c>blockstore.lock</c> is the lock of every provider; <c>blockstore.format</c> holds two lines, <c>provider=&lt;name&gt;</c> and
/// <c>format=&lt;version&gt;</c>, written durably when the data set is created, and raised when a provider opens (and migrates) a
/// data set of an older format. A DataDir from before the marker is recognised by the files of its provider, and the marker is written then.
/// </remarks>
internal sealed class DataDirectory : IDisposable
{
    /// <summary>The lock file of every provider inside the DataDir.</summary>
    public const string LockFileName = "blockstore.lock";

    /// <summary>The file recording which provider and format the DataDir holds.</summary>
    public const string FormatFileName = "blockstore.format";

    /// <summary>The entries by which a DataDir from before <see cref="FormatFileName"/> is recognised, by provider.</summary>
    private static readonly (string Provider, string[] Entries)[] KnownLayouts =
    [
        ("Sqlite", ["blockstore.db"]),
        ("File", ["stores", "journal", "meta"]),
    ];

    private readonly DataSetLock _lock;

    private DataDirectory(string path, DataSetLock dataSetLock, IReadOnlyList<string> readableByOthers)
    {
        FullPath = path;
        _lock = dataSetLock;
        ReadableByOthers = readableByOthers;
    }

    /// <summary>The full path of the DataDir.</summary>
    public string FullPath { get; }

    /// <summary>The DataDir and the entries in it that other accounts may read, as found when it was opened.</summary>
    public IReadOnlyList<string> ReadableByOthers { get; }

    /// <summary>
    /// Creates (0700, its parent flushed) and locks <paramref name="path"/> for <paramref name="provider"/>, waiting up to
    /// <see cref="BlockStoreOptions.LockWaitTimeout"/> for another owner; refuses a DataDir of another provider or of a newer format.
    /// </summary>
    /// <param name="path">The DataDir.</param>
    /// <param name="configurationKey">The setting <paramref name="path"/> comes from, named when the directory cannot be created.</param>
    /// <param name="provider">The name of the provider opening it.</param>
    /// <param name="format">The provider's layout version: written into a new DataDir, the newest one it reads.</param>
    /// <param name="options">The store options (durability, lock wait).</param>
    /// <param name="flushDirectory">The provider's directory flush, honouring the durability it is given.</param>
    /// <param name="cancellationToken">Cancels waiting for the lock.</param>
    public static async Task<DataDirectory> OpenAsync(
        string path, string configurationKey, string provider, int format, BlockStoreOptions options, Action<string, Durability> flushDirectory, CancellationToken cancellationToken)
    {
        string full = Path.GetFullPath(path);
        bool existed = Directory.Exists(full);
        if (!existed)
        {
            Create(full, configurationKey, options.Durability, flushDirectory);
        }

        DataSetLock dataSetLock = await DataSetLock.AcquireAsync(
            Path.Combine(full, LockFileName), full, options.LockWaitTimeout, cancellationToken).ConfigureAwait(false);
        try
        {
            CheckOrWriteFormat(full, provider, format, options.Durability, flushDirectory);
            IReadOnlyList<string> readableByOthers = existed ? PrivateFiles.FindReadableByOthers(full) : [];
            return new DataDirectory(full, dataSetLock, readableByOthers);
        }
        catch
        {
            dataSetLock.Dispose();
            throw;
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _lock.Dispose();

    /// <summary>
    /// Creates <paramref name="path"/> and its missing parents, then flushes the parent of each so the new entries survive a power cut.
    /// A directory that cannot be created is reported naming <paramref name="configurationKey"/> and the path.
    /// </summary>
    private static void Create(string path, string configurationKey, Durability durability, Action<string, Durability> flushDirectory)
    {
        var created = new Stack<string>();
        for (string? missing = path; missing is not null && !Directory.Exists(missing); missing = Path.GetDirectoryName(missing))
        {
            created.Push(missing);
        }

        try
        {
            PrivateFiles.CreateDirectory(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new BlockStoreException($"The directory of {configurationKey} ('{path}') could not be created: {ex.Message}", ex);
        }

        while (created.TryPop(out string? directory))
        {
            flushDirectory(Path.GetDirectoryName(directory)!, durability);
        }
    }

    private static void CheckOrWriteFormat(string dataDir, string provider, int format, Durability durability, Action<string, Durability> flushDirectory)
    {
        string formatPath = Path.Combine(dataDir, FormatFileName);
        if (System.IO.File.Exists(formatPath))
        {
            (string heldProvider, int heldFormat) = ReadFormat(formatPath);
            if (heldProvider != provider)
            {
                throw Mismatch(dataDir, heldProvider, provider);
            }

            if (heldFormat > format)
            {
                throw new BlockStoreException(
                    $"The data set at '{dataDir}' has '{provider}' format {heldFormat}, newer than this library supports ({format}). Upgrade BlockStore.");
            }

            if (heldFormat < format)
            {
                // The provider migrates an older layout as it opens; the marker follows, so an older library refuses the data set.
                WriteFormat(formatPath, provider, format, durability, flushDirectory);
            }

            return;
        }

        foreach ((string knownProvider, string[] entries) in KnownLayouts)
        {
            if (knownProvider != provider && Array.Exists(entries, entry => Path.Exists(Path.Combine(dataDir, entry))))
            {
                throw Mismatch(dataDir, knownProvider, provider);
            }
        }

        WriteFormat(formatPath, provider, format, durability, flushDirectory);
    }

    private static BlockStoreException Mismatch(string dataDir, string heldProvider, string provider) =>
        new($"The data set at '{dataDir}' holds '{heldProvider}' data and cannot be opened with the '{provider}' provider. " +
            $"Set BlockStore:Provider to '{heldProvider}', or point BlockStore:DataDir at another directory.");

    private static (string Provider, int Format) ReadFormat(string formatPath)
    {
        string? provider = null;
        int? format = null;
        foreach (string line in System.IO.File.ReadAllLines(formatPath))
        {
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            string value = line[(equals + 1)..].Trim();
            switch (line[..equals].Trim())
            {
                case "provider":
                    provider = value;
                    break;
                case "format" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed):
                    format = parsed;
                    break;
            }
        }

        return provider is { Length: > 0 } && format is int found
            ? (provider, found)
            : throw new BlockStoreException($"The format file '{formatPath}' is damaged: it must hold the lines 'provider=<name>' and 'format=<version>'.");
    }

    /// <summary>Writes the marker to a temporary file, flushes it and renames it into place, so it is either absent or complete.</summary>
    private static void WriteFormat(string formatPath, string provider, int format, Durability durability, Action<string, Durability> flushDirectory)
    {
        string temp = formatPath + ".tmp";
        byte[] content = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"provider={provider}\nformat={format}\n"));
        using (var stream = new FileStream(temp, PrivateFiles.Options(FileMode.Create, FileAccess.Write, FileShare.None)))
        {
            stream.Write(content);
            if (durability == Durability.Full)
            {
                stream.Flush(flushToDisk: true);
            }
        }

        System.IO.File.Move(temp, formatPath, overwrite: true);
        flushDirectory(Path.GetDirectoryName(formatPath)!, durability);
    }
}
