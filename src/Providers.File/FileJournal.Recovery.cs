using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace BlockStore.Providers.File;

/// <summary>Opening the journal: find the segments, drop those already trimmed, check every record and cut a torn tail.</summary>
internal sealed partial class FileJournal
{
    /// <summary>Opens the journal in <paramref name="directory"/>, checking every record and cutting a torn tail off the newest segment.</summary>
    /// <param name="directory">The journal directory, created if needed.</param>
    /// <param name="durability">Whether appends and deletions are flushed.</param>
    /// <param name="segmentBytes">The size at which a new segment starts.</param>
    /// <param name="keepFrom">The trim point recorded in the metadata: records below it are no longer needed.</param>
    public static FileJournal Open(string directory, Durability durability, long segmentBytes, long keepFrom)
    {
        PrivateFiles.CreateDirectory(directory);
        DurableFiles.DeleteLeftovers(directory);
        var journal = new FileJournal(directory, durability, segmentBytes);
        try
        {
            foreach (string path in Directory.EnumerateFiles(directory))
            {
                if (JournalSegment.TryParse(Path.GetFileName(path), out long firstId))
                {
                    journal._segments.Add(new JournalSegment(firstId, path));
                }
            }

            journal._segments.Sort(static (a, b) => a.FirstId.CompareTo(b.FirstId));
            journal.Trim(keepFrom);
            for (int i = 0; i < journal._segments.Count; i++)
            {
                journal.Scan(journal._segments[i], isNewest: i == journal._segments.Count - 1);
            }

            journal.Trim(keepFrom);
            return journal;
        }
        catch
        {
            journal.Dispose();
            throw;
        }
    }

    /// <summary>Reads every surviving record with an id of at least <paramref name="keepFrom"/>, oldest first.</summary>
    public IEnumerable<JournalRecord> ReadRecords(long keepFrom, CancellationToken cancellationToken)
    {
        JournalSegment[] segments;
        lock (_lock)
        {
            segments = [.. _segments];
        }

        foreach (JournalSegment segment in segments)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var reader = new FrameReader(segment.Path, FileHeader.Size, segment.Length);
            while (TryRead(reader, segment, out JournalRecord record))
            {
                if (record.Id >= keepFrom)
                {
                    yield return record;
                }
            }
        }
    }

    private static bool TryRead(FrameReader reader, JournalSegment segment, out JournalRecord record)
    {
        record = default;
        FrameStatus status = reader.Next(out ReadOnlySpan<byte> body);
        if (status == FrameStatus.End)
        {
            return false;
        }

        if (status != FrameStatus.Ok || body.Length < sizeof(long))
        {
            throw FileHeader.Refuse(segment.Path, FileKind.JournalSegment, $"the record at offset {reader.Position} changed after the journal was opened");
        }

        record = new JournalRecord(BinaryPrimitives.ReadInt64LittleEndian(body), body[sizeof(long)..].ToArray());
        return true;
    }

    /// <summary>Checks a segment's header and records; cuts a torn tail off the newest segment, refuses damage in older ones.</summary>
    private void Scan(JournalSegment segment, bool isNewest)
    {
        SafeFileHandle handle = DurableFiles.OpenExisting(segment.Path);
        try
        {
            long firstId = FileHeader.Read(handle, segment.Path, FileKind.JournalSegment).Value;
            if (firstId != segment.FirstId)
            {
                throw FileHeader.Refuse(segment.Path, FileKind.JournalSegment, $"its header says it starts at record {firstId}, its name says {segment.FirstId}");
            }

            long length = RandomAccess.GetLength(handle);
            long position = ScanRecords(segment, length);
            if (position < length)
            {
                if (!isNewest)
                {
                    throw FileHeader.Refuse(segment.Path, FileKind.JournalSegment, $"the record at offset {position} is incomplete and newer segments follow");
                }

                // A torn tail: the record being written when the process stopped was never acknowledged.
                FileIo.Current.SetLength(handle, position);
                DurableFiles.Flush(handle, _durability);
            }

            segment.Length = position;
            segment.WrittenThrough = position;
            if (isNewest)
            {
                SegmentSpace.Preallocate(handle, _segmentBytes);
                DurableFiles.Flush(handle, _durability);
            }
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        if (isNewest)
        {
            segment.Handle = handle;
        }
        else
        {
            handle.Dispose();
        }
    }

    /// <summary>
    /// Walks the records of a segment in increasing id order and returns the offset after the last good one, where a torn tail
    /// starts; refuses a damaged record (see <see cref="FrameStatus.Damaged"/>) or one out of order, naming the segment and offset.
    /// </summary>
    private long ScanRecords(JournalSegment segment, long length)
    {
        using var reader = new FrameReader(segment.Path, FileHeader.Size, length);
        while (true)
        {
            long start = reader.Position;
            FrameStatus status = reader.Next(out ReadOnlySpan<byte> body);
            if (status is FrameStatus.End or FrameStatus.Torn)
            {
                return start;
            }

            if (status == FrameStatus.Damaged)
            {
                throw FileHeader.Refuse(segment.Path, FileKind.JournalSegment, $"the record at offset {start} is damaged (checksum or length); nothing was cut");
            }

            long id = body.Length >= sizeof(long) ? BinaryPrimitives.ReadInt64LittleEndian(body) : 0;
            if (id <= _lastId || id < segment.FirstId)
            {
                throw FileHeader.Refuse(segment.Path, FileKind.JournalSegment, $"the record at offset {start} has id {id}, not above the id {Math.Max(_lastId, segment.FirstId - 1)} before it");
            }

            segment.LastId = id;
            _lastId = id;
        }
    }
}
