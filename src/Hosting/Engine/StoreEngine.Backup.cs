using System.Diagnostics;
using BlockStore.Diagnostics;

namespace BlockStore.Engine;

/// <summary>Online backup: the provider copies the data set inside a writer turn, so the copy holds no half-applied write.</summary>
internal sealed partial class StoreEngine
{
    /// <summary>Has the provider copy the data set into <paramref name="destination"/> between writer turns.</summary>
    public Task BackupAsync(string destination, CancellationToken cancellationToken) =>
        Enqueue(new BackupOp(destination, cancellationToken));

    private async Task BackupAsync(BackupOp op)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            await _session.BackupAsync(op.Destination, op.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or OperationCanceledException)
        {
            op.Fail(ex);
            return;
        }
        catch (Exception ex)
        {
            Log.BackupFailed(_logger, ex, Location, op.Destination);
            op.Fail(new BlockStoreException($"Backing up the data set into '{op.Destination}' failed.", ex));
            return;
        }

        Log.BackupCompleted(_logger, Location, op.Destination, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        op.Complete(true);
    }
}
