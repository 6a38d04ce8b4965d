namespace BlockStore.Providers.File;

/// <summary>
/// A durable sorted map of byte-string keys to byte-string values on disk: a run file of sorted pages (<c>name.table</c>, see
/// <see cref="SortedRun"/>) plus the changes since, kept in memory (the memtable) and in a CRC-framed log (<c>name.log</c>)
/// replayed at open. Memory holds the run's page index and the memtable only; when the log passes the run's size (capped by the
/// threshold), the run and the memtable are merged into a new run that replaces the old one by <see cref="SnapshotLog"/>'s
/// generation protocol, so a crash at any point leaves a run and a log that belong together. Log record body (little endian):
/// count i32 | count × (change u8: 1 put, 2 delete | key length u16 | key | for a put: value length u16 | value). Thread-safe;
/// lookups and scans never wait for a merge's I/O.
/// </summary>
internal sealed class SortedTable : IDisposable
{
    private const byte PutChange = 1;
    private const byte DeleteChange = 2;

    /// <summary>Guards the memtable and the current run: lookups and scans hold it briefly, never during a merge's I/O.</summary>
    private readonly Lock _lock = new();

    /// <summary>Serialises the writers (log appends and merges), so the memtable does not change while a merge writes its run.</summary>
    private readonly Lock _writeLock = new();
    private readonly SortedSet<MemEntry> _memtable = new(MemEntry.Order);
    private readonly RecordBuffer _record = new();
    private readonly byte[] _page = new byte[SortedRun.PageSize];

    /// <summary>The run and number of the checked page <see cref="_page"/> holds, so lookups in key order read each page once.</summary>
    private SortedRun? _pageRun;
    private int _pageNumber;
    private PageCursor _pageStart;
    private readonly string _runPath;
    private readonly FileKind _runKind;
    private readonly Durability _durability;
    private readonly long _threshold;
    private SnapshotLog _log = null!;
    private SortedRun? _run;

    private SortedTable(string directory, string name, FileKind runKind, Durability durability, long threshold)
    {
        _runPath = Path.Combine(directory, name + RunExtension);
        _runKind = runKind;
        _durability = durability;
        _threshold = threshold;
    }

    /// <summary>The smallest log that is merged before it reaches the threshold (1 MiB).</summary>
    public const long MinMergeBytes = 1L << 20;

    /// <summary>The extension of the run file.</summary>
    public const string RunExtension = ".table";

    /// <summary>The run file's path, for messages.</summary>
    public string RunPath => _runPath;

    /// <summary>The log's path, for messages.</summary>
    public string LogPath => _log.LogPath;

    /// <summary>How many changes the memtable holds (for tests and measurements).</summary>
    public int MemtableCount
    {
        get
        {
            lock (_lock)
            {
                return _memtable.Count;
            }
        }
    }

    /// <summary>How many pages the run holds (for tests and measurements).</summary>
    public int PageCount
    {
        get
        {
            lock (_lock)
            {
                return _run?.PageCount ?? 0;
            }
        }
    }

    /// <summary>
    /// Opens (creating if needed) the table <paramref name="name"/> in <paramref name="directory"/>: reads the run's header and
    /// footer and replays the log. The log is merged into a new run once it holds as many bytes as the run (at least
    /// <see cref="MinMergeBytes"/>), or <paramref name="threshold"/> bytes, whichever is fewer.
    /// </summary>
    public static SortedTable Open(string directory, string name, FileKind runKind, FileKind logKind, Durability durability, long threshold)
    {
        var table = new SortedTable(directory, name, runKind, durability, threshold);
        try
        {
            table._log = SnapshotLog.Open(directory, name, RunExtension, runKind, logKind, durability, table.LoadRun, table.Replay);
            return table;
        }
        catch
        {
            table.Dispose();
            throw;
        }
    }

    /// <summary>Looks <paramref name="key"/> up: in the memtable, else in the one page of the run that may hold it.</summary>
    /// <returns>The value (the memtable's own array for an unmerged change: read it, never change it), or null when the key is absent.</returns>
    public byte[]? Get(ReadOnlySpan<byte> key)
    {
        var probe = new MemEntry(key.ToArray(), null);
        lock (_lock)
        {
            if (_memtable.TryGetValue(probe, out MemEntry change))
            {
                return change.Value;
            }

            int page = _run?.FindPage(key) ?? -1;
            if (page < 0)
            {
                return null;
            }

            PageCursor cursor = PageOf(page);
            while (cursor.MoveNext())
            {
                int order = cursor.Key.SequenceCompareTo(key);
                if (order >= 0)
                {
                    return order == 0 ? cursor.Value.ToArray() : null;
                }
            }

            return null;
        }
    }

    /// <summary>Page <paramref name="page"/> of the current run, read and checked unless it is the page last read; the caller holds the lock.</summary>
    private PageCursor PageOf(int page)
    {
        if (!ReferenceEquals(_pageRun, _run) || _pageNumber != page)
        {
            _pageRun = null;
            _pageStart = _run!.ReadPage(page, _page);
            (_pageRun, _pageNumber) = (_run, page);
        }

        return _pageStart;
    }

    /// <summary>
    /// The records whose key starts with <paramref name="prefix"/> (all of them when empty), in key order, as of this call: later
    /// writes are not seen. The run is read page by page as the result is enumerated, through a handle of the scan's own.
    /// </summary>
    public IEnumerable<KeyValuePair<byte[], byte[]>> Scan(ReadOnlySpan<byte> prefix)
    {
        byte[] start = prefix.ToArray();
        MemEntry[] changes;
        SortedRun? run;
        lock (_lock)
        {
            changes = MemtableRange(start);
            run = _run?.Reopen();
        }

        return Merge(run, changes, start);
    }

    /// <summary>Applies <paramref name="batch"/> as one log record, durable as the <see cref="Durability"/> requires, then merges when due.</summary>
    /// <remarks>
    /// When it throws, nothing of the batch is applied. Once the batch is durable the call succeeds: a merge that fails then is
    /// retried after a later write.
    /// </remarks>
    public void Write(SortedTableBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return;
        }

        lock (_writeLock)
        {
            _record.Clear();
            _record.WriteInt32(batch.Count);
            foreach (KeyValuePair<byte[], byte[]?> change in batch.Changes)
            {
                _record.WriteByte(change.Value is null ? DeleteChange : PutChange);
                WriteBytes(change.Key);
                if (change.Value is not null)
                {
                    WriteBytes(change.Value);
                }
            }

            _log.Append(_record.WrittenSpan);
            lock (_lock)
            {
                foreach (KeyValuePair<byte[], byte[]?> change in batch.Changes)
                {
                    Apply(change.Key, change.Value);
                }
            }

            if (_log.LogBytes >= MergeAtBytes())
            {
                try
                {
                    MergeWriting(null);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or BlockStoreException)
                {
                    // The batch is durable and applied: a merge that fails (a full disk, or a damaged page that the lookups
                    // reading it report) leaves the run and the log as they were, and is tried again after the next write.
                }
            }
        }
    }

    /// <summary>
    /// The log size that starts a merge: the run's size, but at least <see cref="MinMergeBytes"/> and at most the threshold, so a
    /// small table's log never holds much more than its live records (a row rewritten often is on disk once per merge, not once per
    /// change) while a large table's memtable stays within the threshold. The caller holds the write lock, under which alone a merge
    /// replaces the run.
    /// </summary>
    private long MergeAtBytes() => Math.Min(_threshold, Math.Max(MinMergeBytes, (long)(_run?.PageCount ?? 0) * SortedRun.PageSize));

    /// <summary>Merges the memtable into a new run now and starts an empty log, so no file holds a deleted key or an overwritten value.</summary>
    public void Merge()
    {
        lock (_writeLock)
        {
            MergeWriting(null);
        }
    }

    /// <summary>Replaces the whole content with <paramref name="records"/> (strictly increasing keys) in a new run, and starts an empty log.</summary>
    public void Rewrite(IEnumerable<KeyValuePair<byte[], byte[]>> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        lock (_writeLock)
        {
            MergeWriting(records);
        }
    }

    public void Dispose()
    {
        lock (_writeLock)
        {
            lock (_lock)
            {
                _log?.Dispose();
                _run?.Dispose();
                _record.Dispose();
            }
        }
    }

    /// <summary>The first key after every key that starts with <paramref name="prefix"/>, or null when there is none.</summary>
    private static byte[]? PrefixEnd(byte[] prefix)
    {
        for (int i = prefix.Length - 1; i >= 0; i--)
        {
            if (prefix[i] != byte.MaxValue)
            {
                byte[] end = prefix[..(i + 1)];
                end[i]++;
                return end;
            }
        }

        return null;
    }

    private static IEnumerable<KeyValuePair<byte[], byte[]>> Merge(SortedRun? run, MemEntry[] changes, byte[] prefix)
    {
        using (run)
        {
            int next = 0;
            if (run is not null)
            {
                byte[] buffer = new byte[SortedRun.PageSize];
                bool past = false;
                for (int page = Math.Max(run.FindPage(prefix), 0); page < run.PageCount && !past; page++)
                {
                    PageCursor cursor = run.ReadPage(page, buffer);
                    while (cursor.MoveNext())
                    {
                        int order = cursor.Key.SequenceCompareTo(prefix);
                        if (order < 0)
                        {
                            continue;
                        }

                        if (!cursor.Key.StartsWith(prefix))
                        {
                            past = true;
                            break;
                        }

                        byte[] key = cursor.Key.ToArray();
                        byte[] value = cursor.Value.ToArray();
                        for (; next < changes.Length && changes[next].Key.AsSpan().SequenceCompareTo(key) < 0; next++)
                        {
                            if (changes[next].Value is byte[] added)
                            {
                                yield return new(changes[next].Key, added);
                            }
                        }

                        if (next < changes.Length && changes[next].Key.AsSpan().SequenceEqual(key))
                        {
                            if (changes[next].Value is byte[] changed)
                            {
                                yield return new(key, changed);
                            }

                            next++;
                        }
                        else
                        {
                            yield return new(key, value);
                        }
                    }
                }
            }

            for (; next < changes.Length; next++)
            {
                if (changes[next].Value is byte[] added)
                {
                    yield return new(changes[next].Key, added);
                }
            }
        }
    }

    /// <summary>The memtable's changes of keys starting with <paramref name="prefix"/>, in key order.</summary>
    private MemEntry[] MemtableRange(byte[] prefix)
    {
        if (_memtable.Count == 0)
        {
            return [];
        }

        if (prefix.Length == 0)
        {
            return [.. _memtable];
        }

        var low = new MemEntry(prefix, null);
        MemEntry high = PrefixEnd(prefix) is byte[] end ? new MemEntry(end, null) : _memtable.Max;
        if (MemEntry.Order.Compare(low, high) > 0)
        {
            return [];
        }

        var range = new List<MemEntry>();
        foreach (MemEntry entry in _memtable.GetViewBetween(low, high))
        {
            if (entry.Key.AsSpan().StartsWith(prefix))
            {
                range.Add(entry);
            }
        }

        return [.. range];
    }

    /// <summary>
    /// Writes a new run (the merge of the run and the memtable, or <paramref name="replacement"/>) and switches to it once it is
    /// in place (a writer, under the write lock). Lookups go on meanwhile: they read the old run until the switch.
    /// </summary>
    private void MergeWriting(IEnumerable<KeyValuePair<byte[], byte[]>>? replacement)
    {
        MemEntry[] changes;
        SortedRun? source;
        lock (_lock)
        {
            changes = replacement is null ? [.. _memtable] : [];
            source = replacement is null ? _run?.Reopen() : null;
        }

        long generation = _log.Generation;
        try
        {
            _log.Compact((path, header) =>
            {
                using var writer = new SortedRunWriter(path, header);
                foreach (KeyValuePair<byte[], byte[]> record in replacement ?? Merge(source, changes, []))
                {
                    writer.Add(record.Key, record.Value);
                }

                return writer.Finish(_durability);
            });
        }
        finally
        {
            source?.Dispose();
            if (_log.Generation != generation)
            {
                // The new run is in place (even if a later step failed): the old run and the memtable are folded into it.
                SortedRun run = SortedRun.Open(_runPath, _runKind).Run;
                lock (_lock)
                {
                    _run?.Dispose();
                    _run = run;
                    _memtable.Clear();
                }
            }
        }
    }

    private long LoadRun(string path)
    {
        (SortedRun run, long generation) = SortedRun.Open(path, _runKind);
        _run = run;
        return generation;
    }

    private void Replay(ReadOnlySpan<byte> body)
    {
        var reader = new RecordReader(body);
        for (int i = reader.ReadInt32(); i > 0; i--)
        {
            byte change = reader.ReadByte();
            byte[] key = reader.ReadBytes(reader.ReadUInt16()).ToArray();
            byte[]? value = change switch
            {
                PutChange => reader.ReadBytes(reader.ReadUInt16()).ToArray(),
                DeleteChange => null,
                _ => throw new InvalidDataException($"Unknown change {change}."),
            };
            SortedRun.CheckRecord(key, value);
            Apply(key, value);
        }

        if (!reader.AtEnd)
        {
            throw new InvalidDataException("The record has trailing bytes.");
        }
    }

    private void Apply(byte[] key, byte[]? value)
    {
        var entry = new MemEntry(key, value);
        if (!_memtable.Add(entry))
        {
            _memtable.Remove(entry);
            _memtable.Add(entry);
        }
    }

    private void WriteBytes(byte[] bytes)
    {
        _record.WriteUInt16((ushort)bytes.Length);
        _record.WriteBytes(bytes);
    }

    /// <summary>A change in the memtable: a key and its new value, or null for a deletion.</summary>
    private readonly record struct MemEntry(byte[] Key, byte[]? Value)
    {
        /// <summary>Orders entries by key bytes.</summary>
        public static readonly IComparer<MemEntry> Order = Comparer<MemEntry>.Create(static (a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
    }
}
