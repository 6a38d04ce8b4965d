namespace BlockStore.Providers;

/// <summary>Exclusive ownership of a data set: a lock file held open with <see cref="FileShare.None"/> (an OS lock the kernel drops when the process dies).</summary>
internal sealed class DataSetLock : IDisposable
{
    private readonly FileStream _file;

    private DataSetLock(FileStream file) => _file = file;

    /// <summary>Takes the lock at <paramref name="lockPath"/> or throws <see cref="StoreLockedException"/> naming <paramref name="location"/>.</summary>
    public static DataSetLock Acquire(string lockPath, string location)
    {
        try
        {
            var file = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, FileOptions.None);
            return new DataSetLock(file);
        }
        catch (IOException ex)
        {
            throw new StoreLockedException(location, ex);
        }
    }

    public void Dispose() => _file.Dispose();
}
