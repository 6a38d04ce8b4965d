using System.Buffers.Binary;
using System.Text;
using RocksDbSharp;

namespace BlockStore.Benchmarks;

/// <summary>
/// The same data in RocksDB, keyed as a key-value user would key it: <c>m | conversation | 0 | seq</c> holds the message
/// (sender, timestamp, body) and <c>u | user | 0 | seq</c> holds the conversation id; seq is big endian so keys sort by it.
/// One WriteBatch per batch, sync writes; latest-20 iterates the conversation's prefix backwards, user sync collects the
/// user's references forwards and fetches the messages with one MultiGet.
/// </summary>
internal sealed class RocksDbBaseline : IChatStore
{
    public const string Name = "RocksDB";

    private const byte MessagePrefix = (byte)'m';
    private const byte UserPrefix = (byte)'u';

    /// <summary>The key of the largest SeqId a batch wrote, so a reopen continues above it.</summary>
    private static readonly byte[] LastSeqKey = [(byte)'s'];

    private readonly RocksDb _db;
    private readonly WriteOptions _write;
    private long _lastSeq;

    private RocksDbBaseline(string dataDir, Durability durability)
    {
        Directory.CreateDirectory(dataDir);
        _db = RocksDb.Open(new DbOptions().SetCreateIfMissing(true), Path.Combine(dataDir, "rocksdb"));
        _write = new WriteOptions().SetSync(durability == Durability.Full);
        byte[]? last = _db.Get(LastSeqKey);
        _lastSeq = last is null ? 0 : BinaryPrimitives.ReadInt64LittleEndian(last);
    }

    public static Task<IChatStore> OpenAsync(string dataDir, Durability durability) =>
        Task.FromResult<IChatStore>(new RocksDbBaseline(dataDir, durability));

    public ProviderTimings? Timings => null;

    /// <summary>RocksDB's writes block their caller until the sync completes, so concurrent writers each get a thread of their own.</summary>
    public bool BlocksCallers => true;

    public Task AddBatchAsync(IReadOnlyList<NewMessage> batch)
    {
        using var writeBatch = new WriteBatch();
        long seq = Interlocked.Add(ref _lastSeq, batch.Count) - batch.Count;
        foreach (NewMessage message in batch)
        {
            Put(writeBatch, message, ++seq);
        }

        var last = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(last, seq);
        writeBatch.Put(LastSeqKey, last);

        _db.Write(writeBatch, _write);
        return Task.CompletedTask;
    }

    public Task AddAsync(NewMessage message)
    {
        using var writeBatch = new WriteBatch();
        Put(writeBatch, message, Interlocked.Increment(ref _lastSeq));
        _db.Write(writeBatch, _write);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Message>> LatestAsync(string convId, int limit)
    {
        byte[] prefix = Prefix(MessagePrefix, convId);
        var page = new List<Message>(limit);
        using Iterator iterator = _db.NewIterator();
        for (iterator.SeekForPrev(Key(prefix, long.MaxValue)); iterator.Valid() && page.Count < limit; iterator.Prev())
        {
            ReadOnlySpan<byte> key = iterator.GetKeySpan();
            if (!key.StartsWith(prefix) || key.Length != prefix.Length + 8)
            {
                break;
            }

            page.Add(Decode(convId, BinaryPrimitives.ReadInt64BigEndian(key[^8..]), iterator.GetValueSpan()));
        }

        page.Reverse();
        return Task.FromResult<IReadOnlyList<Message>>(page);
    }

    public Task<IReadOnlyList<Message>> UserNextAsync(string userId, long afterSeqId, int limit)
    {
        byte[] prefix = Prefix(UserPrefix, userId);
        var keys = new List<byte[]>(limit);
        var convIds = new List<string>(limit);
        using (Iterator iterator = _db.NewIterator())
        {
            for (iterator.Seek(Key(prefix, afterSeqId + 1)); iterator.Valid() && keys.Count < limit; iterator.Next())
            {
                ReadOnlySpan<byte> key = iterator.GetKeySpan();
                if (!key.StartsWith(prefix) || key.Length != prefix.Length + 8)
                {
                    break;
                }

                string convId = Encoding.UTF8.GetString(iterator.GetValueSpan());
                convIds.Add(convId);
                keys.Add(Key(Prefix(MessagePrefix, convId), BinaryPrimitives.ReadInt64BigEndian(key[^8..])));
            }
        }

        var page = new List<Message>(keys.Count);
        if (keys.Count > 0)
        {
            KeyValuePair<byte[], byte[]>[] found = _db.MultiGet([.. keys]);
            for (int i = 0; i < found.Length; i++)
            {
                if (found[i].Value is { } value)
                {
                    page.Add(Decode(convIds[i], BinaryPrimitives.ReadInt64BigEndian(found[i].Key.AsSpan(^8)), value));
                }
            }
        }

        return Task.FromResult<IReadOnlyList<Message>>(page);
    }

    public ValueTask DisposeAsync()
    {
        _db.Dispose();
        return ValueTask.CompletedTask;
    }

    private static void Put(WriteBatch batch, NewMessage message, long seq)
    {
        byte[] conv = Prefix(MessagePrefix, message.ConvId);
        var value = new byte[12 + message.Data.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(value, message.SenderId);
        BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(4), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        message.Data.Span.CopyTo(value.AsSpan(12));
        batch.Put(Key(conv, seq), value);
        byte[] convId = Encoding.UTF8.GetBytes(message.ConvId);
        foreach (string userId in message.UserIds)
        {
            batch.Put(Key(Prefix(UserPrefix, userId), seq), convId);
        }
    }

    private static Message Decode(string convId, long seq, ReadOnlySpan<byte> value) =>
        new(seq, convId, BinaryPrimitives.ReadUInt32LittleEndian(value), DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(value[4..])), value[12..].ToArray());

    /// <summary>The kind byte, the id and a 0 separator (ids hold no NUL).</summary>
    private static byte[] Prefix(byte kind, string id)
    {
        var prefix = new byte[Encoding.UTF8.GetByteCount(id) + 2];
        prefix[0] = kind;
        Encoding.UTF8.GetBytes(id, prefix.AsSpan(1));
        return prefix;
    }

    private static byte[] Key(byte[] prefix, long seq)
    {
        var key = new byte[prefix.Length + 8];
        prefix.CopyTo(key, 0);
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(prefix.Length), seq);
        return key;
    }
}
