using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace BlockStore.Providers.File;

/// <summary>
/// Reclaiming trimmed records: ids increase across segments, so after <see cref="Trim"/> only the oldest segments can hold
/// records below the trim point. One that holds nothing else is deleted; one that also holds records still needed is rewritten
/// with those only, under the same name (its first id stays a lower bound of its records): the copy is written to a temporary
/// file and flushed before it is renamed over the old one, so a crash leaves the old segment or the new, and opening deletes a
/// leftover temporary file.
/// </summary>
internal sealed partial class FileJournal
{
    private const int CopyChunkBytes = 1024 * 1024;

    /// <summary>Removes every byte of the records below <paramref name="keepFrom"/> from the journal's files (the trim point must be durable).</summary>
    public void Reclaim(long keepFrom)
    {
        lock (_lock)
        {
            while (_segments.Count > 0)
            {
                JournalSegment segment = _segments[0];
                long live = FirstRecordAtOrAbove(segment, keepFrom);
                if (live == FileHeader.Size)
                {
                    return;
                }

                if (live < segment.Length || segment.Handle is not null)
                {
                    Rewrite(segment, live);
                    return;
                }

                FileIo.Current.Delete(segment.Path);
                DurableFiles.SyncDirectory(_directory, _durability);
                _segments.RemoveAt(0);
            }
        }
    }

    /// <summary>The offset of the first record of <paramref name="segment"/> with an id of at least <paramref name="keepFrom"/>, or its end.</summary>
    private static long FirstRecordAtOrAbove(JournalSegment segment, long keepFrom)
    {
        using var reader = new FrameReader(segment.Path, FileHeader.Size, segment.Length);
        while (true)
        {
            long start = reader.Position;
            if (!TryRead(reader, segment, out JournalRecord record) || record.Id >= keepFrom)
            {
                return start;
            }
        }
    }

    /// <summary>Replaces <paramref name="segment"/> with a copy of its records from offset <paramref name="live"/> on.</summary>
    private void Rewrite(JournalSegment segment, long live)
    {
        string temp = segment.Path + DurableFiles.TempSuffix;
        long length = FileHeader.Size + (segment.Length - live);
        SafeFileHandle copy = FileIo.Current.Open(temp, PrivateFiles.Options(FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0));
        try
        {
            Span<byte> header = stackalloc byte[FileHeader.Size];
            FileHeader.Create(FileKind.JournalSegment, segment.FirstId).Write(header);
            FileIo.Current.Write(copy, header, 0);
            CopyRecords(segment.Path, live, segment.Length, copy);
            if (segment.Handle is not null)
            {
                // The newest segment keeps its space allocated, with zeros after its last record.
                SegmentSpace.Preallocate(copy, Math.Max(_segmentBytes, length + 1));
            }

            DurableFiles.Flush(copy, _durability);
            FileIo.Current.Move(temp, segment.Path, overwrite: true);
        }
        catch
        {
            copy.Dispose();
            FileIo.Current.Delete(temp);
            throw;
        }

        segment.Length = length;
        segment.WrittenThrough = length;
        if (segment.Handle is null)
        {
            copy.Dispose();
        }
        else
        {
            segment.Handle.Dispose();
            segment.Handle = copy;
            _torn = false;
        }

        DurableFiles.SyncDirectory(_directory, _durability);
    }

    private static void CopyRecords(string path, long from, long to, SafeFileHandle destination)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(CopyChunkBytes, Math.Max(to - from, 1)));
        try
        {
            using SafeFileHandle source = System.IO.File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            for (long offset = from; offset < to;)
            {
                int read = RandomAccess.Read(source, buffer.AsSpan(0, (int)Math.Min(buffer.Length, to - offset)), offset);
                if (read == 0)
                {
                    throw FileHeader.Refuse(path, FileKind.JournalSegment, $"it ends at offset {offset}, before its last record");
                }

                FileIo.Current.Write(destination, buffer.AsSpan(0, read), FileHeader.Size + (offset - from));
                offset += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
