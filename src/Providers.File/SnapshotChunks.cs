namespace BlockStore.Providers.File;

/// <summary>
/// Writes a snapshot's items in records of the form [type u8] | count i32 | count × item, starting a new record whenever one
/// passes <see cref="ChunkBytes"/>, so no record needs a huge buffer.
/// </summary>
internal sealed class SnapshotChunks
{
    /// <summary>The size past which a record is written and the next one started.</summary>
    public const int ChunkBytes = 64 * 1024;

    private readonly SnapshotWriter _writer;
    private readonly RecordBuffer _record;
    private readonly byte? _type;
    private int _count;

    /// <summary>Starts the first record in <paramref name="record"/>, with the type byte <paramref name="type"/> when given.</summary>
    public SnapshotChunks(SnapshotWriter writer, RecordBuffer record, byte? type = null)
    {
        _writer = writer;
        _record = record;
        _type = type;
        Start();
    }

    /// <summary>Counts the item just written into the record, and writes the record out once it is full.</summary>
    public void Added()
    {
        _count++;
        if (_record.Length >= ChunkBytes)
        {
            Finish();
            Start();
        }
    }

    /// <summary>Writes the last record, unless it holds no item.</summary>
    public void Finish()
    {
        if (_count > 0)
        {
            _record.PatchInt32(_type is null ? 0 : 1, _count);
            _writer.Write(_record.WrittenSpan);
        }
    }

    private void Start()
    {
        _record.Clear();
        if (_type is byte type)
        {
            _record.WriteByte(type);
        }

        _record.WriteInt32(0);
        _count = 0;
    }
}
