using System.Diagnostics;

namespace BlockStore.Providers;

/// <summary>Exclusive ownership of a data set: a lock file held open with <see cref="FileShare.None"/> (an OS lock the kernel drops when the process dies).</summary>
internal sealed class DataSetLock : IDisposable
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(100);
    private readonly FileStream _file;

    private DataSetLock(FileStream file) => _file = file;

    /// <summary>
    /// Takes the lock at <paramref name="lockPath"/>, retrying for up to <paramref name="wait"/> while another owner holds it,
    /// then throws <see cref="StoreLockedException"/> naming <paramref name="location"/>.
    /// </summary>
    public static async Task<DataSetLock> AcquireAsync(string lockPath, string location, TimeSpan wait, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                return new DataSetLock(new FileStream(lockPath, PrivateFiles.Options(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1)));
            }
            catch (IOException ex)
            {
                TimeSpan left = wait - Stopwatch.GetElapsedTime(started);
                if (left <= TimeSpan.Zero)
                {
                    throw new StoreLockedException(location, ex);
                }

                await Task.Delay(left < RetryInterval ? left : RetryInterval, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public void Dispose() => _file.Dispose();
}
