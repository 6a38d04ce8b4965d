using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace BlockStore.Providers.File;

/// <summary>Applies one record body while a <see cref="SnapshotLog"/> is loaded.</summary>
/// <param name="body">The record's body, valid only during the call.</param>
internal delegate void RecordHandler(ReadOnlySpan<byte> body);

/// <summary>Writes the whole state as records into a new snapshot.</summary>
/// <param name="writer">Receives the records.</param>
internal delegate void SnapshotSource(SnapshotWriter writer);

/// <summary>Reads a snapshot of a format of its own at open and returns its generation.</summary>
/// <param name="path">The snapshot's path.</param>
internal delegate long SnapshotLoader(string path);

/// <summary>Writes a complete snapshot of a format of its own, flushed as the durability requires, and returns its size.</summary>
/// <param name="path">The temporary file to write.</param>
/// <param name="header">The header the snapshot starts with (its kind and generation).</param>
internal delegate long SnapshotFileWriter(string path, FileHeader header);

/// <summary>
/// State that survives crashes: a snapshot (<c>name.snapshot</c>) plus an append-only CRC-framed log (<c>name.log</c>) of the
/// changes since. Both headers carry a generation: the log applies only to the snapshot of its generation. Compaction writes a
/// new snapshot (generation + 1) to a temporary file, flushes it and renames it over the old one, then starts an empty log
/// of the new generation the same way; a crash in between leaves a stale log that opening recognises by its generation and discards.
/// </summary>
internal sealed class SnapshotLog : IDisposable
{
    private readonly string _logPath;
    private readonly string _snapshotPath;
    private readonly FileKind _logKind;
    private readonly FileKind _snapshotKind;
    private readonly Durability _durability;
    private readonly long _threshold;
    private SafeFileHandle? _log;
    private long _logLength;
    private long _generation;
    private long _snapshotBytes;
    private bool _torn;

    private SnapshotLog(string directory, string name, string snapshotExtension, FileKind snapshotKind, FileKind logKind, Durability durability, long threshold)
    {
        _logPath = Path.Combine(directory, name + ".log");
        _snapshotPath = Path.Combine(directory, name + snapshotExtension);
        _snapshotKind = snapshotKind;
        _logKind = logKind;
        _durability = durability;
        _threshold = threshold;
    }

    /// <summary>The bytes of the log's records, which the next compaction folds into the snapshot.</summary>
    public long LogBytes => _logLength - FileHeader.Size;

    /// <summary>The log's path, for messages.</summary>
    public string LogPath => _logPath;

    /// <summary>The snapshot's path, for messages.</summary>
    public string SnapshotPath => _snapshotPath;

    /// <summary>The generation of the snapshot on disk; a compaction that throws has replaced the snapshot when it moved on.</summary>
    public long Generation => _generation;

    /// <summary>Opens (creating if needed) the pair in <paramref name="directory"/>, feeding every record to <paramref name="apply"/> in order.</summary>
    public static SnapshotLog Open(
        string directory, string name, FileKind snapshotKind, FileKind logKind, Durability durability, long threshold, RecordHandler apply) =>
        Open(new SnapshotLog(directory, name, ".snapshot", snapshotKind, logKind, durability, threshold), null, apply);

    /// <summary>
    /// Opens (creating the log if needed) a log in <paramref name="directory"/> whose snapshot, <c>name</c> +
    /// <paramref name="snapshotExtension"/>, has a format of its own: <paramref name="loadSnapshot"/> reads it, then every log
    /// record is fed to <paramref name="apply"/> in order. Such a pair is compacted with <see cref="Compact(SnapshotFileWriter)"/> only.
    /// </summary>
    public static SnapshotLog Open(
        string directory, string name, string snapshotExtension, FileKind snapshotKind, FileKind logKind, Durability durability,
        SnapshotLoader loadSnapshot, RecordHandler apply) =>
        Open(new SnapshotLog(directory, name, snapshotExtension, snapshotKind, logKind, durability, long.MaxValue), loadSnapshot, apply);

    private static SnapshotLog Open(SnapshotLog state, SnapshotLoader? loadSnapshot, RecordHandler apply)
    {
        try
        {
            state.Load(loadSnapshot, apply);
            return state;
        }
        catch
        {
            state.Dispose();
            throw;
        }
    }

    /// <summary>Appends one record, durable as the <see cref="Durability"/> requires; on failure nothing of it is left behind.</summary>
    public void Append(ReadOnlySpan<byte> body)
    {
        SafeFileHandle log = PrepareLog();
        int size = RecordFrame.HeaderSize + body.Length;
        byte[] frame = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            RecordFrame.WriteHeader(frame, body, []);
            body.CopyTo(frame.AsSpan(RecordFrame.HeaderSize));
            FileIo.Current.Write(log, frame.AsSpan(0, size), _logLength);
            DurableFiles.Flush(log, _durability);
            _logLength += size;
        }
        catch
        {
            _torn = true;
            TryCutTornTail(log);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    /// <summary>Folds the log into a new snapshot when it has grown past the threshold and past the last snapshot's size.</summary>
    /// <remarks>A failed compaction loses nothing: the log stays valid (or is restarted before the next append), so it is retried later.</remarks>
    public void CompactIfDue(SnapshotSource source)
    {
        if (LogBytes < Math.Max(_threshold, _snapshotBytes))
        {
            return;
        }

        try
        {
            Compact(source);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Writes the whole state to a new snapshot and starts an empty log.</summary>
    public void Compact(SnapshotSource source) =>
        Compact((path, header) =>
        {
            using var writer = new SnapshotWriter(path, header);
            source(writer);
            return writer.Finish(_durability);
        });

    /// <summary>Writes a new snapshot with <paramref name="write"/>, renames it over the old one and starts an empty log.</summary>
    public void Compact(SnapshotFileWriter write)
    {
        string temp = _snapshotPath + DurableFiles.TempSuffix;
        long size;
        try
        {
            size = write(temp, FileHeader.Create(_snapshotKind, _generation + 1));
        }
        catch
        {
            FileIo.Current.Delete(temp);
            throw;
        }

        // Once the rename is done the snapshot on disk is the new generation: the old log must never take another record, even
        // if flushing the directory fails. The next append starts the new generation's log, whose creation flushes the directory.
        FileIo.Current.Move(temp, _snapshotPath, overwrite: true);
        _generation++;
        _snapshotBytes = size;
        _log?.Dispose();
        _log = null;
        _logLength = FileHeader.Size;
        DurableFiles.SyncDirectory(Path.GetDirectoryName(_snapshotPath)!, _durability);
        StartLog();
    }

    public void Dispose() => _log?.Dispose();

    private void Load(SnapshotLoader? loadSnapshot, RecordHandler apply)
    {
        if (System.IO.File.Exists(_snapshotPath))
        {
            if (loadSnapshot is null)
            {
                LoadSnapshot(apply);
            }
            else
            {
                _generation = loadSnapshot(_snapshotPath);
            }
        }

        if (!System.IO.File.Exists(_logPath))
        {
            StartLog();
            return;
        }

        SafeFileHandle log = DurableFiles.OpenExisting(_logPath);
        _log = log;
        long generation = FileHeader.Read(log, _logPath, _logKind).Value;
        if (generation > _generation)
        {
            throw FileHeader.Refuse(_logPath, _logKind, $"it continues snapshot generation {generation}, but the snapshot '{_snapshotPath}' is of generation {_generation} (missing or replaced)");
        }

        if (generation < _generation)
        {
            // A compaction stopped after renaming the snapshot: everything in this log is already in the snapshot.
            log.Dispose();
            _log = null;
            StartLog();
            return;
        }

        long length = RandomAccess.GetLength(log);
        using var reader = new FrameReader(_logPath, FileHeader.Size, length);
        FrameStatus status;
        while ((status = reader.Next(out ReadOnlySpan<byte> body)) == FrameStatus.Ok)
        {
            Apply(apply, body, _logPath, _logKind, reader.Position);
        }

        if (status == FrameStatus.Damaged)
        {
            throw FileHeader.Refuse(_logPath, _logKind, $"the record at offset {reader.Position} is damaged (checksum or length); nothing was cut");
        }

        _logLength = reader.Position;
        if (_logLength < length)
        {
            // A torn tail: the record being written when the process stopped was never acknowledged.
            FileIo.Current.SetLength(log, _logLength);
            DurableFiles.Flush(log, _durability);
        }
    }

    private void LoadSnapshot(RecordHandler apply)
    {
        using (SafeFileHandle snapshot = System.IO.File.OpenHandle(_snapshotPath, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            _generation = FileHeader.Read(snapshot, _snapshotPath, _snapshotKind).Value;
            _snapshotBytes = RandomAccess.GetLength(snapshot);
        }

        using var reader = new FrameReader(_snapshotPath, FileHeader.Size, _snapshotBytes);
        while (true)
        {
            FrameStatus status = reader.Next(out ReadOnlySpan<byte> body);
            if (status != FrameStatus.Ok)
            {
                throw FileHeader.Refuse(_snapshotPath, _snapshotKind, $"it is damaged or incomplete at offset {reader.Position}");
            }

            if (body.IsEmpty)
            {
                break;
            }

            Apply(apply, body, _snapshotPath, _snapshotKind, reader.Position);
        }

        if (reader.Next(out _) != FrameStatus.End)
        {
            throw FileHeader.Refuse(_snapshotPath, _snapshotKind, $"unexpected data follows its end marker at offset {reader.Position}");
        }
    }

    private static void Apply(RecordHandler apply, ReadOnlySpan<byte> body, string path, FileKind kind, long end)
    {
        try
        {
            apply(body);
        }
        catch (Exception ex) when (ex is InvalidDataException or ArgumentException)
        {
            throw new BlockStoreException(
                $"The BlockStore file '{path}' cannot be used: the record ending at offset {end} is invalid ({ex.Message}).", ex);
        }
    }

    /// <summary>Returns the log ready for an append: restarted after an interrupted compaction, cut back after a failed append.</summary>
    private SafeFileHandle PrepareLog()
    {
        if (_log is null)
        {
            StartLog();
        }

        SafeFileHandle log = _log!;
        if (_torn)
        {
            FileIo.Current.SetLength(log, _logLength);
            DurableFiles.Flush(log, _durability);
            _torn = false;
        }

        return log;
    }

    private void TryCutTornTail(SafeFileHandle log)
    {
        try
        {
            FileIo.Current.SetLength(log, _logLength);
            _torn = false;
        }
        catch (IOException)
        {
            // PrepareLog cuts it before the next append.
        }
    }

    private void StartLog()
    {
        _log = DurableFiles.CreateWithHeader(_logPath, FileHeader.Create(_logKind, _generation), _durability, overwrite: true);
        _logLength = FileHeader.Size;
        _torn = false;
    }
}
