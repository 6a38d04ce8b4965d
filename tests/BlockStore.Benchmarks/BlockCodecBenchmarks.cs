using BenchmarkDotNet.Attributes;
using BlockStore.Engine;

namespace BlockStore.Benchmarks;

/// <summary>Encoding and decoding one sealed conversation block of 100 entries with bodies of 60-260 bytes, per compression level (0: none).</summary>
[MemoryDiagnoser]
[ShortRunJob]
public class BlockCodecBenchmarks
{
    private const string ConvId = "conv-0001";
    private const int Entries = 100;

    private ConvEntry[] _entries = [];
    private byte[] _block = [];
    private StoreIndex _location;
    private BlockEncoding _encoding;

    /// <summary>The Zstandard level; 0 stores payloads uncompressed.</summary>
    [Params(0, 1, 3, 6)]
    public int Level { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var workload = new Workload(conversations: 1, users: Entries);
        long timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        _entries = new ConvEntry[Entries];
        for (int i = 0; i < _entries.Length; i++)
        {
            var message = new Message(i + 1, ConvId, (uint)i, DateTimeOffset.FromUnixTimeMilliseconds(timestamp + i), workload.NextBody().ToArray());
            _entries[i] = new ConvEntry(message, timestamp + i);
        }

        _encoding = Level == 0 ? BlockEncoding.Uncompressed : new BlockEncoding(BlockCompression.Zstd, Level);
        _block = BlockCodec.EncodeConversation(ConvId, _entries, _encoding);
        Console.WriteLine($"// level {Level}: {_block.Length} bytes for {_entries.Sum(e => e.Message.Data.Length)} body bytes");
        _location = new StoreIndex(1, 0, _block.Length, DateTimeOffset.UtcNow);
    }

    [Benchmark]
    public byte[] Encode() => BlockCodec.EncodeConversation(ConvId, _entries, _encoding);

    [Benchmark]
    public int Decode() => BlockCodec.DecodeConversation(_block, ConvId, _location).Length;
}
