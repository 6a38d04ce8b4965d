namespace BlockStore.Providers.File;

/// <summary>The journal members: appends go to <see cref="FileJournal"/>; reads skip the records the metadata says are trimmed.</summary>
internal sealed partial class FileTimelineRepository
{
    public IAsyncEnumerable<JournalRecord> ReadJournalAsync(CancellationToken cancellationToken = default)
    {
        long keepFrom;
        lock (_lock)
        {
            keepFrom = _totals.KeepFrom;
        }

        return _journal.ReadRecords(keepFrom, cancellationToken).ToAsyncEnumerable();
    }

    public ValueTask<long> LoadJournalKeepFromAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_totals.KeepFrom);
        }
    }

    public ValueTask AppendJournalAsync(long recordId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _journal.Append(recordId, payload);
        return ValueTask.CompletedTask;
    }
}
