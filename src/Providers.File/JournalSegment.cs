using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace BlockStore.Providers.File;

/// <summary>One journal segment file, named by the id of the first record it may hold; only the newest one is kept open.</summary>
internal sealed class JournalSegment(long firstId, string path)
{
    /// <summary>The id every record in the segment is at least; also the file's name.</summary>
    public long FirstId { get; } = firstId;

    public string Path { get; } = path;

    /// <summary>The bytes of the header and the complete records; appends go here.</summary>
    public long Length { get; set; } = FileHeader.Size;

    /// <summary>
    /// The end of the bytes this process has written to the file, records or zeros. Space past it may still be allocated but
    /// unwritten, whose first write changes the file system's metadata (an unwritten extent becomes a written one).
    /// </summary>
    public long WrittenThrough { get; set; } = FileHeader.Size;

    /// <summary>The id of the newest record, or 0 when there is none.</summary>
    public long LastId { get; set; }

    /// <summary>The open file while this is the newest segment.</summary>
    public SafeFileHandle? Handle { get; set; }

    public bool HasRecords => Length > FileHeader.Size;

    /// <summary>The file name of the segment starting at <paramref name="firstId"/>: the id in 20 digits.</summary>
    public static string FileName(long firstId) => firstId.ToString("D20", CultureInfo.InvariantCulture) + ".log";

    /// <summary>Parses a segment file name back to its first record id.</summary>
    public static bool TryParse(string fileName, out long firstId)
    {
        firstId = 0;
        string stem = System.IO.Path.GetFileNameWithoutExtension(fileName);
        return stem.Length == 20
            && System.IO.Path.GetExtension(fileName) == ".log"
            && long.TryParse(stem, NumberStyles.None, CultureInfo.InvariantCulture, out firstId);
    }
}
