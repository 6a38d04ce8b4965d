using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace BlockStore.Providers.File;

/// <summary>
/// The checksummed header at the start of every file the provider writes, so a stray, foreign or damaged file is refused.
/// Layout (little endian, <see cref="Size"/> bytes): signature 8 bytes | format version u16 | header size u16 | reserved u32 |
/// value i64 (store id, generation or first record id) | capacity i64 (stores; 0 otherwise) | created Unix ms i64 |
/// CRC-32C u32 over the 40 bytes before it | reserved u32.
/// </summary>
internal readonly record struct FileHeader(FileKind Kind, long Value, long Capacity, long CreatedMs)
{
    /// <summary>The header's size in bytes; within <see cref="BlockStoreLimits.StoreHeaderReserveBytes"/>.</summary>
    public const int Size = 48;

    /// <summary>The format version this library writes and reads.</summary>
    public const ushort FormatVersion = 1;

    private const int CrcOffset = 40;

    /// <summary>Creates a header stamped with the current time.</summary>
    public static FileHeader Create(FileKind kind, long value, long capacity = 0) =>
        new(kind, value, capacity, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    /// <summary>Writes the header into <paramref name="destination"/> (at least <see cref="Size"/> bytes).</summary>
    public void Write(Span<byte> destination)
    {
        Span<byte> header = destination[..Size];
        header.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(header, Signature(Kind));
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], Size);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], Value);
        BinaryPrimitives.WriteInt64LittleEndian(header[24..], Capacity);
        BinaryPrimitives.WriteInt64LittleEndian(header[32..], CreatedMs);
        BinaryPrimitives.WriteUInt32LittleEndian(header[CrcOffset..], Crc32C.Compute(header[..CrcOffset]));
    }

    /// <summary>Reads and checks the header of an open file, or throws <see cref="BlockStoreException"/> naming <paramref name="path"/>.</summary>
    public static FileHeader Read(SafeFileHandle handle, string path, FileKind kind)
    {
        Span<byte> header = stackalloc byte[Size];
        int read = 0;
        while (read < Size)
        {
            int n = RandomAccess.Read(handle, header[read..], read);
            if (n == 0)
            {
                throw Refuse(path, kind, $"it is {read} bytes long, shorter than the {Size}-byte header");
            }

            read += n;
        }

        return Parse(header, path, kind);
    }

    /// <summary>Checks a header held in memory, or throws <see cref="BlockStoreException"/> naming <paramref name="path"/>.</summary>
    public static FileHeader Parse(ReadOnlySpan<byte> header, string path, FileKind kind)
    {
        if (BinaryPrimitives.ReadUInt64LittleEndian(header) != Signature(kind))
        {
            throw Refuse(path, kind, "its signature does not match (a foreign or misplaced file)");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(header[CrcOffset..]) != Crc32C.Compute(header[..CrcOffset]))
        {
            throw Refuse(path, kind, "its header is damaged (checksum mismatch)");
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
        if (version != FormatVersion || BinaryPrimitives.ReadUInt16LittleEndian(header[10..]) != Size)
        {
            throw Refuse(path, kind, $"it has format version {version}; this library reads version {FormatVersion}");
        }

        return new FileHeader(
            kind,
            BinaryPrimitives.ReadInt64LittleEndian(header[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(header[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(header[32..]));
    }

    /// <summary>The error for a file that cannot be used, naming the file and why.</summary>
    public static BlockStoreException Refuse(string path, FileKind kind, string reason) =>
        new($"The BlockStore {Describe(kind)} file '{path}' cannot be used: {reason}.");

    private static string Describe(FileKind kind) => kind switch
    {
        FileKind.Store => "store",
        FileKind.JournalSegment => "journal segment",
        FileKind.TimelineLog => "timeline metadata log",
        FileKind.TimelineSnapshot => "timeline metadata snapshot",
        FileKind.CheckpointLog => "checkpoint log",
        FileKind.TimelineBlocks => "timeline block index",
        FileKind.InboxLog => "inbox log",
        FileKind.InboxSnapshot => "inbox snapshot",
        FileKind.FreedLog => "freed space log",
        FileKind.FreedSnapshot => "freed space snapshot",
        FileKind.DirectoryTable => "key directory table",
        FileKind.DirectoryLog => "key directory log",
        FileKind.InboxTable => "inbox index table",
        FileKind.InboxTableLog => "inbox index log",
        _ => "checkpoint snapshot",
    };

    // Eight ASCII characters per kind, read as a little-endian u64.
    private static ulong Signature(FileKind kind) => kind switch
    {
        FileKind.Store => 0x45524F5453534B42, // "BKSSTORE"
        FileKind.JournalSegment => 0x4C4E524A53534B42, // "BKSSJRNL"
        FileKind.TimelineLog => 0x474F4C5453534B42, // "BKSSTLOG"
        FileKind.TimelineSnapshot => 0x504E535453534B42, // "BKSSTSNP"
        FileKind.CheckpointLog => 0x474F4C4353534B42, // "BKSSCLOG"
        FileKind.TimelineBlocks => 0x4B4C425453534B42, // "BKSSTBLK"
        FileKind.InboxLog => 0x474F4C4953534B42, // "BKSSILOG"
        FileKind.InboxSnapshot => 0x504E534953534B42, // "BKSSISNP"
        FileKind.FreedLog => 0x474F4C4653534B42, // "BKSSFLOG"
        FileKind.FreedSnapshot => 0x504E534653534B42, // "BKSSFSNP"
        FileKind.DirectoryTable => 0x4C42545453534B42, // "BKSSTTBL"
        FileKind.DirectoryLog => 0x474F4C4B53534B42, // "BKSSKLOG"
        FileKind.InboxTable => 0x4C42544953534B42, // "BKSSITBL"
        FileKind.InboxTableLog => 0x474F4C5853534B42, // "BKSSXLOG"
        _ => 0x504E534353534B42, // "BKSSCSNP"
    };
}
