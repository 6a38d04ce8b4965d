using System.Diagnostics;
using System.Runtime.InteropServices;
using BlockStore.Diagnostics;
using Microsoft.Extensions.Logging;

namespace BlockStore.Engine;

/// <summary>
/// Sealing: full blocks are sealed in groups (once <see cref="FrozenBlocksPerSeal"/> have gathered, on a flush, or on the
/// periodic maintenance tick); open blocks are sealed early, oldest first, when the journal or the open blocks pass their
/// budgets or a block has been open too long. Sealing writes the block bytes first, then commits the metadata together with
/// the journal trim, then publishes the blocks as sealed. A group of full blocks that nothing waits for is encoded on the
/// thread pool while the writer goes on with its turns, and written and committed by the first turn after the encoding
/// finished; any other seal commits it first. A failed seal is retried with exponential backoff (a flush retries
/// at once), reusing blocks already written; while sealing fails past the budgets, appends are refused.
/// </summary>
internal sealed partial class StoreEngine
{
    private const int MaxTimelinesPerRound = 4096;
    private const int MaxTimelinesPerClosingRound = 65536;
    private const int MaxRoundsPerTurn = 16;

    /// <summary>The wait after the first failed seal; it doubles with each further failure, up to <see cref="SealRetryMaxMs"/>.</summary>
    private const long SealRetryBaseMs = 100;

    private const long SealRetryMaxMs = 10_000;

    /// <summary>
    /// Full blocks wait in memory until this many have gathered, so one seal writes many blocks in one commit and saves each changed
    /// inbox row once for all of them (with 128, a busy row was saved at every seal: in the macro benchmark's workload, twice the row
    /// saves for the same activity).
    /// </summary>
    private const int FrozenBlocksPerSeal = 512;

    /// <summary>Every unsealed block (open or frozen), ordered by the first journal record it needs: the head bounds the journal.</summary>
    private readonly LinkedList<MemBlock> _unsealed = new();

    /// <summary>The timelines picked for the current seal round; reused, since only the writer seals.</summary>
    private readonly HashSet<TimelineBase> _drain = [];

    /// <summary>Timelines holding a full block that waits to be sealed.</summary>
    private readonly HashSet<TimelineBase> _frozen = [];

    /// <summary>Surviving journal records: id and the journal's total size before it, for the bytes a trim would drop.</summary>
    private readonly List<(long Id, long TotalBefore)> _journalRecords = [];
    private long _journalTotal;
    private long _journalBytesPublished;
    private long _unsealedBytes;
    private int _frozenBlocks;
    private int _sealFailures;
    private long _sealRetryAt;
    private WriteFailure? _sealFailure;
    private volatile bool _writesRefused;

    /// <summary>A seal of full blocks being encoded off the writer, or null.</summary>
    private EncodingSeal? _backgroundSeal;

    /// <summary>The first failure of the seals failing since the last successful one (its exception the latest), or null.</summary>
    public WriteFailure? SealFailure => Volatile.Read(ref _sealFailure);

    /// <summary>True while appends are refused: sealing fails and the journal or the open blocks passed their budgets.</summary>
    public bool RefusingWrites => _writesRefused;

    /// <summary>Full blocks waiting to be sealed.</summary>
    private long FullBlocks => Volatile.Read(ref _frozenBlocks);

    /// <summary>
    /// Decides (and publishes) whether appends are refused: when sealing fails and the journal or the open blocks passed their
    /// budgets by a quarter, appends would only grow them further, without bound, until a seal succeeds.
    /// </summary>
    private bool UpdateWritesRefused()
    {
        bool refused = _sealFailures > 0
            && (JournalBytes > _options.JournalMaxBytes + (_options.JournalMaxBytes / 4)
                || _unsealedBytes > _options.OpenBlocksMaxBytes + (_options.OpenBlocksMaxBytes / 4));
        _writesRefused = refused;
        return refused;
    }

    private string WritesRefusedMessage() =>
        $"Writes are refused: sealing has failed since {_sealFailure?.At:O} and the journal ({JournalBytes} bytes; BlockStore:JournalMaxBytes " +
        $"{_options.JournalMaxBytes}) or the open blocks ({_unsealedBytes} bytes; BlockStore:OpenBlocksMaxBytes {_options.OpenBlocksMaxBytes}) " +
        "passed their budgets. Nothing was stored; writes resume once a seal succeeds.";

    private long JournalBytes => _journalRecords.Count == 0 ? 0 : _journalTotal - _journalRecords[0].TotalBefore;

    private void JournalAppended(long id, int bytes)
    {
        _journalRecords.Add((id, _journalTotal));
        _journalTotal += bytes;
        Volatile.Write(ref _journalBytesPublished, JournalBytes);
    }

    /// <summary>The journal bytes from record <paramref name="id"/> on.</summary>
    private long JournalBytesFrom(long id)
    {
        int index = _journalRecords.BinarySearch((id, 0), JournalIdComparer.Instance);
        if (index < 0)
        {
            index = ~index;
        }

        return index >= _journalRecords.Count ? 0 : _journalTotal - _journalRecords[index].TotalBefore;
    }

    private void JournalTrimmed(long keepFrom)
    {
        int drop = 0;
        while (drop < _journalRecords.Count && _journalRecords[drop].Id < keepFrom)
        {
            drop++;
        }

        _journalRecords.RemoveRange(0, drop);
        Volatile.Write(ref _journalBytesPublished, JournalBytes);
    }

    /// <summary>
    /// Seals what is due: open blocks picked by <see cref="PickTimelinesToDrain"/>, and full blocks once enough have gathered
    /// or when <paramref name="sealFrozen"/> (a flush, or the periodic maintenance tick). After a failed seal nothing is tried
    /// until the backoff has passed, unless <paramref name="now"/> (a flush).
    /// </summary>
    private async Task SealDueAsync(bool sealFrozen, bool now)
    {
        if (_sealFailures > 0 && !now && Environment.TickCount64 < _sealRetryAt)
        {
            return;
        }

        for (int round = 0; round < MaxRoundsPerTurn; round++)
        {
            HashSet<TimelineBase> drain = PickTimelinesToDrain();
            bool frozenDue = _frozen.Count > 0 && (sealFrozen || _frozenBlocks >= FrozenBlocksPerSeal);
            if (_backgroundSeal is { } background && (background.Done.IsCompleted || drain.Count > 0 || sealFrozen))
            {
                if (!await CommitEncodedAsync().ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            if (drain.Count == 0 && !frozenDue)
            {
                return;
            }

            if (drain.Count == 0 && !sealFrozen && _sealFailures == 0)
            {
                // Only full blocks are due, and nothing waits for them: encode them off the writer, which goes on with
                // the next turns and commits the seal in the first turn after the encoding finished.
                if (_backgroundSeal is null)
                {
                    StartEncoding();
                }

                return;
            }

            if (!await SealAsync(drain).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>Seals everything still open, so the journal is empty after a clean shutdown.</summary>
    private async Task SealAllAsync()
    {
        while (_unsealed.Count > 0)
        {
            HashSet<TimelineBase> drain = _drain;
            drain.Clear();
            for (LinkedListNode<MemBlock>? node = _unsealed.First; node is not null && drain.Count < MaxTimelinesPerClosingRound; node = node.Next)
            {
                drain.Add(node.Value.Owner);
            }

            if (!await SealAsync(drain).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>Chooses the timelines whose open blocks must be sealed now, walking the unsealed blocks oldest first.</summary>
    private HashSet<TimelineBase> PickTimelinesToDrain()
    {
        HashSet<TimelineBase> drain = _drain;
        drain.Clear();
        long now = Environment.TickCount64;
        long maxAgeMs = (long)_options.OpenBlockMaxAge.TotalMilliseconds;
        long over = _budgets.OpenBlockBytes - _budgets.OpenBlocksLimit;
        long freeTarget = over > 0 ? Math.Min(_unsealedBytes, over + (_budgets.OpenBlocksLimit / 4)) : 0;
        long journalTarget = JournalBytes > _options.JournalMaxBytes ? _options.JournalMaxBytes / 2 : long.MaxValue;
        long freed = 0;
        for (LinkedListNode<MemBlock>? node = _unsealed.First; node is not null && drain.Count < MaxTimelinesPerRound; node = node.Next)
        {
            MemBlock block = node.Value;
            if (drain.Contains(block.Owner))
            {
                continue;
            }

            bool due = now - block.OpenedAtTicks >= maxAgeMs
                || freed < freeTarget
                || JournalBytesFrom(block.FirstJournalId) > journalTarget;
            if (!due)
            {
                break;
            }

            drain.Add(block.Owner);
            freed += block.MemoryBytes;
        }

        return drain;
    }

    /// <summary>
    /// Encodes the blocks a seal writes, on every core when there are several: encoding and compressing them is most of a seal's
    /// CPU, and the writer's turn waits for it.
    /// </summary>
    private void Encode(SealJob[] jobs)
    {
        if (jobs.Length == 1)
        {
            jobs[0].Encode(_encoding);
        }
        else if (jobs.Length > 1)
        {
            BlockEncoding encoding = _encoding;
            Parallel.For(0, jobs.Length, i => jobs[i].Encode(encoding));
        }
    }

    /// <summary>
    /// Takes the blocks to seal: the frozen blocks of every timeline (of <see cref="MaxTimelinesPerRound"/> at most), and all
    /// blocks of the timelines in <paramref name="drain"/>; and those of them to encode (a block written by an earlier attempt
    /// whose metadata commit failed is reused while it is unchanged, so retries do not append another unreferenced copy each time).
    /// </summary>
    private (List<SealJob> Jobs, SealJob[] ToEncode) PrepareSeal(HashSet<TimelineBase> drain)
    {
        var jobs = new List<SealJob>();
        foreach (TimelineBase timeline in _frozen)
        {
            if (!drain.Contains(timeline))
            {
                timeline.PrepareSeal(includeOpen: false, jobs);
            }

            if (jobs.Count >= MaxTimelinesPerRound)
            {
                break;
            }
        }

        foreach (TimelineBase timeline in drain)
        {
            timeline.PrepareSeal(includeOpen: true, jobs);
        }

        int toWrite = 0;
        foreach (SealJob job in jobs)
        {
            if (job.Block.WrittenCount != job.Range.Count)
            {
                toWrite++;
            }
        }

        var toEncode = new SealJob[toWrite];
        toWrite = 0;
        foreach (SealJob job in jobs)
        {
            if (job.Block.WrittenCount != job.Range.Count)
            {
                toEncode[toWrite++] = job;
            }
        }

        return (jobs, toEncode);
    }

    /// <summary>Takes the frozen blocks of a seal and encodes them on the thread pool; frozen blocks never change, so the writer need not wait.</summary>
    private void StartEncoding()
    {
        _drain.Clear();
        (List<SealJob> jobs, SealJob[] toEncode) = PrepareSeal(_drain);
        if (jobs.Count > 0)
        {
            _backgroundSeal = new EncodingSeal(jobs, toEncode, Task.Run(() => Encode(toEncode)));
        }
    }

    /// <summary>Waits for the seal encoded off the writer, then writes and commits it like any other.</summary>
    /// <returns>False when the encoding or the write failed (logged, and retried after the backoff from the blocks' current state).</returns>
    private async Task<bool> CommitEncodedAsync()
    {
        long committing = Stopwatch.GetTimestamp();
        EncodingSeal encoding = _backgroundSeal!;
        _backgroundSeal = null;
        try
        {
            await encoding.Done.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            SealFailed(ex, encoding.Jobs.Count);
            return false;
        }

        return await CommitSealAsync(committing, encoding.Jobs, encoding.ToEncode).ConfigureAwait(false);
    }

    /// <summary>Seals the frozen blocks of every timeline, and all blocks of the timelines in <paramref name="drain"/>.</summary>
    /// <returns>False when nothing could be sealed (nothing to do, or the write failed and was logged).</returns>
    private async Task<bool> SealAsync(HashSet<TimelineBase> drain)
    {
        // The blocks a seal encoding off the writer took must not be taken twice: it goes first.
        if (_backgroundSeal is not null && !await CommitEncodedAsync().ConfigureAwait(false))
        {
            return false;
        }

        long started = Stopwatch.GetTimestamp();
        (List<SealJob> jobs, SealJob[] toEncode) = PrepareSeal(drain);
        if (jobs.Count == 0)
        {
            return false;
        }

        Encode(toEncode);
        return await CommitSealAsync(started, jobs, toEncode).ConfigureAwait(false);
    }

    /// <summary>Writes the encoded blocks of <paramref name="jobs"/>, commits them with the journal trim, and publishes them as sealed.</summary>
    private async Task<bool> CommitSealAsync(long started, List<SealJob> jobs, SealJob[] toEncode)
    {
        var sealing = new HashSet<MemBlock>(jobs.Count);
        foreach (SealJob job in jobs)
        {
            sealing.Add(job.Block);
        }

        var encoded = new ReadOnlyMemory<byte>[toEncode.Length];
        long bytes = 0;
        for (int i = 0; i < toEncode.Length; i++)
        {
            encoded[i] = toEncode[i].Encoded;
            bytes += encoded[i].Length;
        }

        // With nothing left unsealed, every journaled record is covered; ids burnt by failed journal writes stay above the trim
        // point, so a record that later reuses one is never taken for trimmed.
        long keepFrom = _lastJournalId + 1;
        for (LinkedListNode<MemBlock>? node = _unsealed.First; node is not null; node = node.Next)
        {
            if (!sealing.Contains(node.Value))
            {
                keepFrom = node.Value.FirstJournalId;
                break;
            }
        }

        CarriedStates carried = default;
        try
        {
            if (encoded.Length > 0)
            {
                IReadOnlyList<StoreIndex> locations = await _session.Blocks.WriteBlocksAsync(encoded).ConfigureAwait(false);
                BlocksWritten(locations, bytes);
                int written = 0;
                foreach (SealJob job in jobs)
                {
                    if (job.Block.WrittenCount != job.Range.Count)
                    {
                        job.Block.WrittenAt = locations[written++];
                        job.Block.WrittenCount = job.Range.Count;
                    }
                }
            }

            var infos = new BlockInfo[jobs.Count];
            for (int i = 0; i < jobs.Count; i++)
            {
                StoreIndex location = jobs[i].Block.WrittenAt;
                jobs[i].Location = location;
                jobs[i].Range = jobs[i].Range with { StoreId = location.StoreId, Offset = location.Offset, Size = location.Size };
                infos[i] = jobs[i].ToBlockInfo();
            }

            await SaveInboxAsync().ConfigureAwait(false);
            carried = await CarryAsync(keepFrom).ConfigureAwait(false);
            await _session.Timelines.CommitBlocksAsync(infos, keepFrom).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            SealFailed(ex, jobs.Count);
            return false;
        }

        if (_sealFailures > 0)
        {
            Log.SealRecovered(_logger, _sealFailures);
            _sealFailures = 0;
            Volatile.Write(ref _sealFailure, null);
            _writesRefused = false;
        }

        await RefreshStoreSizesAfterSealAsync().ConfigureAwait(false);

        int start = 0;
        for (int i = 1; i <= jobs.Count; i++)
        {
            if (i == jobs.Count || jobs[i].Timeline != jobs[start].Timeline)
            {
                TimelineBase timeline = jobs[start].Timeline;
                timeline.CompleteSeal(CollectionsMarshal.AsSpan(jobs).Slice(start, i - start), _cache, _cacheOwner);
                Recharge(timeline);
                Interlocked.Increment(ref _unpinEvents);
                if (!timeline.HasFrozen)
                {
                    _frozen.Remove(timeline);
                }

                start = i;
            }
        }

        foreach (SealJob job in jobs)
        {
            _unsealed.Remove(job.Block.Node!);
            _unsealedBytes -= job.Block.MemoryBytes;
            _budgets.ChargeOpenBlocks(-job.Block.MemoryBytes);
        }

        foreach (SealJob job in jobs)
        {
            if (job.WasFrozen)
            {
                _frozenBlocks--;
            }
        }

        Carried(carried);
        Interlocked.Add(ref _openBlocks, -jobs.Count);
        Interlocked.Add(ref _sealedBlocks, jobs.Count);
        JournalTrimmed(keepFrom);
        Log.Sealed(_logger, jobs.Count, bytes, keepFrom);
        SealCompleted(started);
        return true;
    }

    /// <summary>
    /// Counts and logs a failed seal of <paramref name="blocks"/> blocks and sets when the next may be tried: 0.1 s after the
    /// first failure, doubling up to 10 s.
    /// </summary>
    private void SealFailed(Exception exception, int blocks)
    {
        _sealFailures++;
        long delay = Math.Min(SealRetryBaseMs << Math.Min(_sealFailures - 1, 16), SealRetryMaxMs);
        _sealRetryAt = Environment.TickCount64 + delay;
        WriteFailure? first = _sealFailure;
        Volatile.Write(ref _sealFailure, new WriteFailure(first?.At ?? DateTimeOffset.UtcNow, exception));
        Log.SealFailed(_logger, exception, blocks, _sealFailures, delay);
        WriteFailed(exception);
    }

    /// <summary>A seal whose blocks are being encoded on the thread pool: its jobs, those to encode, and the encoding.</summary>
    private sealed record EncodingSeal(List<SealJob> Jobs, SealJob[] ToEncode, Task Done);

    private sealed class JournalIdComparer : IComparer<(long Id, long TotalBefore)>
    {
        public static readonly JournalIdComparer Instance = new();

        public int Compare((long Id, long TotalBefore) x, (long Id, long TotalBefore) y) => x.Id.CompareTo(y.Id);
    }
}
