using System.Text;
using BlockStore.Engine;

namespace BlockStore.Tests.Engine;

public sealed class BlockCodecTests
{
    private static readonly StoreIndex Where = new(3, 4096, 0, DateTimeOffset.UnixEpoch);
    private static readonly BlockEncoding Zstd = new(BlockCompression.Zstd, 3);

    public static TheoryData<BlockCompression> Compressions => [BlockCompression.None, BlockCompression.Zstd];

    [Theory]
    [MemberData(nameof(Compressions))]
    public void Conversation_block_round_trips(BlockCompression compression)
    {
        ConvEntry[] entries = ConversationEntries("房间-1", 40);
        byte[] block = BlockCodec.EncodeConversation("房间-1", entries, new BlockEncoding(compression, 3));

        ConvEntry[] decoded = BlockCodec.DecodeConversation(block, "房间-1", Where);

        AssertSame(entries, decoded);
        Assert.Equal(compression == BlockCompression.Zstd, (block[7] & BlockCodec.ZstdFlag) != 0);
    }

    [Theory]
    [MemberData(nameof(Compressions))]
    public void A_block_is_never_larger_than_the_engine_charged_for_it(BlockCompression compression)
    {
        ConvEntry[] entries = ConversationEntries("c", 100);
        int charged = BlockCodec.Overhead(1);
        for (int i = 0; i < entries.Length; i++)
        {
            charged += i == 0 ? entries[i].EncodedSize(entries[i].SeqId, entries[i].Timestamp) : entries[i].EncodedSize(entries[i - 1].SeqId, entries[i - 1].Timestamp);
        }

        byte[] block = BlockCodec.EncodeConversation("c", entries, new BlockEncoding(compression, 3));

        Assert.InRange(block.Length, 1, charged);
    }

    [Fact]
    public void Incompressible_payloads_are_stored_uncompressed()
    {
        var random = new Random(7);
        ConvEntry[] entries = ConversationEntries("c", 10, i =>
        {
            var body = new byte[200];
            random.NextBytes(body);
            return body;
        });

        byte[] block = BlockCodec.EncodeConversation("c", entries, Zstd);

        Assert.Equal(BlockCodec.LifecycleFlag, block[7]);
        AssertSame(entries, BlockCodec.DecodeConversation(block, "c", Where));
    }

    [Theory]
    [MemberData(nameof(Compressions))]
    public void User_block_round_trips_and_names_each_conversation_once(BlockCompression compression)
    {
        UserEntry[] entries = Enumerable.Range(0, 30).Select(i => new UserEntry(5 + (i * 7), i % 3 == 0 ? "会话" : "conversation-with-a-long-id", 100 + i, 0)).ToArray();
        byte[] block = BlockCodec.EncodeUser("u", entries, new BlockEncoding(compression, 3));

        UserEntry[] decoded = BlockCodec.DecodeUser(block, "u", Where);

        Assert.Equal(entries.Select(e => (e.SeqId, e.ConvId, e.Timestamp)), decoded.Select(e => (e.SeqId, e.ConvId, e.Timestamp)));
        Assert.Equal(Encoding.UTF8.GetByteCount("会话"), decoded[0].ConvIdBytes);
        Assert.True(block.Length < 30 * 4 + 60, $"{block.Length} bytes for 30 references to 2 conversations");
    }

    [Fact]
    public void Version_1_blocks_stay_readable()
    {
        ConvEntry[] entries = ConversationEntries("房间-1", 5);
        UserEntry[] references = [new(5, "c-1", 100, 3), new(9, "会话", 100, 6), new(12, "c-1", 150, 3)];

        AssertSame(entries, BlockCodec.DecodeConversation(BlockV1Writer.Conversation("房间-1", entries), "房间-1", Where));
        UserEntry[] decoded = BlockCodec.DecodeUser(BlockV1Writer.User("u", references), "u", Where);
        Assert.Equal(references.Select(e => (e.SeqId, e.ConvId, e.Timestamp, e.ConvIdBytes)), decoded.Select(e => (e.SeqId, e.ConvId, e.Timestamp, e.ConvIdBytes)));
    }

    [Fact]
    public void Every_corrupted_byte_of_a_version_1_block_is_detected()
    {
        byte[] block = BlockV1Writer.Conversation("c", ConversationEntries("c", 3));
        AssertEveryFlipDetected(block, damaged => BlockCodec.DecodeConversation(damaged, "c", Where));
        byte[] user = BlockV1Writer.User("u", [new(1, "c", 10, 1), new(2, "d", 11, 1)]);
        AssertEveryFlipDetected(user, damaged => BlockCodec.DecodeUser(damaged, "u", Where));
    }

    [Theory]
    [MemberData(nameof(Compressions))]
    public void Every_corrupted_byte_is_detected(BlockCompression compression)
    {
        byte[] block = BlockCodec.EncodeConversation("c", ConversationEntries("c", 20), new BlockEncoding(compression, 3));
        AssertEveryFlipDetected(block, damaged => BlockCodec.DecodeConversation(damaged, "c", Where));
    }

    [Theory]
    [MemberData(nameof(Compressions))]
    public void Every_corrupted_byte_of_a_user_block_is_detected(BlockCompression compression)
    {
        UserEntry[] entries = Enumerable.Range(0, 40).Select(i => new UserEntry(1 + (i * 3), $"conv-{i % 4}", 10 + i, 6)).ToArray();
        byte[] block = BlockCodec.EncodeUser("u", entries, new BlockEncoding(compression, 3));
        AssertEveryFlipDetected(block, damaged => BlockCodec.DecodeUser(damaged, "u", Where));
    }

    [Fact]
    public void A_damaged_compressed_payload_under_a_valid_checksum_is_reported_never_returned()
    {
        ConvEntry[] entries = ConversationEntries("c", 20);
        byte[] block = BlockCodec.EncodeConversation("c", entries, Zstd);
        Assert.Equal(BlockCodec.ZstdFlag | BlockCodec.LifecycleFlag, block[7]);
        int frame = block.AsSpan().IndexOf(new byte[] { 0x28, 0xB5, 0x2F, 0xFD });
        Assert.True(frame > 8);
        int detected = 0;
        for (int i = frame; i < block.Length - BlockCodec.TrailerSize; i++)
        {
            foreach (byte flip in new byte[] { 0x01, 0x80, 0xFF })
            {
                byte[] damaged = (byte[])block.Clone();
                damaged[i] ^= flip;
                BlockV1Writer.Reseal(damaged);
                try
                {
                    ConvEntry[] decoded = BlockCodec.DecodeConversation(damaged, "c", Where);
                    AssertSame(entries, decoded);
                }
                catch (CorruptBlockException error)
                {
                    Assert.Equal(3, error.StoreId);
                    detected++;
                }
            }
        }

        Assert.True(detected > 3 * (block.Length - BlockCodec.TrailerSize - frame) * 9 / 10, $"{detected} damaged payloads detected");
    }

    [Fact]
    public void Unknown_versions_and_flags_are_refused()
    {
        byte[] block = BlockCodec.EncodeConversation("c", ConversationEntries("c", 2), BlockEncoding.Uncompressed);
        byte[] future = (byte[])block.Clone();
        future[4] = 3;
        BlockV1Writer.Reseal(future);
        byte[] flagged = (byte[])block.Clone();
        flagged[7] = 0x04;
        BlockV1Writer.Reseal(flagged);
        byte[] user = BlockCodec.EncodeUser("c", [new UserEntry(1, "d", 5, 1)], BlockEncoding.Uncompressed);
        user[7] = BlockCodec.LifecycleFlag;
        BlockV1Writer.Reseal(user);

        Assert.Contains("unsupported block format version 3", Assert.Throws<CorruptBlockException>(() => BlockCodec.DecodeConversation(future, "c", Where)).Message, StringComparison.Ordinal);
        Assert.Contains("unknown block flags", Assert.Throws<CorruptBlockException>(() => BlockCodec.DecodeConversation(flagged, "c", Where)).Message, StringComparison.Ordinal);
        Assert.Contains("unknown block flags", Assert.Throws<CorruptBlockException>(() => BlockCodec.DecodeUser(user, "c", Where)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Compressions))]
    public void Events_and_recipient_sets_round_trip_and_each_set_is_stored_once(BlockCompression compression)
    {
        string[] group = ["alice", "bob", "用户"];
        ConvEntry[] entries = ConversationEntries("c", 20)
            .Select((e, i) => i switch
            {
                5 => new ConvEntry(e.Message with { Kind = MessageKind.Edit, TargetSeqId = 3 }, e.Timestamp, ["alice", "bob", "用户"], BlockCodec.RecipientSetSize(group)),
                6 => new ConvEntry(e.Message with { Kind = MessageKind.Delete, TargetSeqId = 6, Data = Array.Empty<byte>() }, e.Timestamp, ["carol"], BlockCodec.RecipientSetSize(["carol"])),
                7 => new ConvEntry(e.Message, e.Timestamp),
                _ => new ConvEntry(e.Message, e.Timestamp, ["alice", "bob", "用户"], BlockCodec.RecipientSetSize(group)),
            })
            .ToArray();

        byte[] block = BlockCodec.EncodeConversation("c", entries, new BlockEncoding(compression, 3));
        ConvEntry[] decoded = BlockCodec.DecodeConversation(block, "c", Where);

        AssertSame(entries, decoded);
        Assert.Equal(entries.Select(e => (e.Message.Kind, e.Message.TargetSeqId)), decoded.Select(e => (e.Message.Kind, e.Message.TargetSeqId)));
        Assert.Equal(entries.Select(e => e.Recipients is null ? "" : string.Join(",", e.Recipients)), decoded.Select(e => e.Recipients is null ? "" : string.Join(",", e.Recipients)));
        Assert.Same(decoded[0].Recipients, decoded[19].Recipients);
        Assert.Equal(BlockCodec.RecipientSetSize(group), decoded[0].RecipientBytes);
        Assert.Equal(0, decoded[7].RecipientBytes);
        if (compression == BlockCompression.None)
        {
            Assert.Equal(1, block.AsSpan().Count("alice"u8));
        }
    }

    [Fact]
    public void Truncated_or_foreign_blocks_are_detected()
    {
        byte[] block = BlockCodec.EncodeConversation("c", ConversationEntries("c", 2), Zstd);

        Assert.Throws<CorruptBlockException>(() => BlockCodec.DecodeConversation(block[..^1], "c", Where));
        Assert.Throws<CorruptBlockException>(() => BlockCodec.DecodeConversation(new byte[10], "c", Where));
        Assert.Throws<CorruptBlockException>(() => BlockCodec.DecodeConversation(new byte[200], "c", Where));
        Assert.Throws<CorruptBlockException>(() => BlockCodec.DecodeConversation(block, "another", Where));
        Assert.Throws<CorruptBlockException>(() => BlockCodec.DecodeUser(block, "c", Where));
    }

    private static void AssertEveryFlipDetected(byte[] block, Action<byte[]> decode)
    {
        for (int i = 0; i < block.Length; i++)
        {
            foreach (byte flip in new byte[] { 0x01, 0x80, 0xFF })
            {
                byte[] damaged = (byte[])block.Clone();
                damaged[i] ^= flip;

                var error = Assert.Throws<CorruptBlockException>(() => decode(damaged));
                Assert.Equal(3, error.StoreId);
                Assert.Equal(4096, error.Offset);
            }
        }
    }

    private static void AssertSame(ConvEntry[] expected, ConvEntry[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].SeqId, actual[i].SeqId);
            Assert.Equal(expected[i].Timestamp, actual[i].Timestamp);
            Assert.Equal(expected[i].Message.SenderId, actual[i].Message.SenderId);
            Assert.Equal(expected[i].Message.CreatedAt, actual[i].Message.CreatedAt);
            Assert.Equal(expected[i].Message.Data.ToArray(), actual[i].Message.Data.ToArray());
        }
    }

    private static ConvEntry[] ConversationEntries(string convId, int count, Func<int, byte[]>? body = null) =>
        Enumerable.Range(1, count).Select(i =>
        {
            long ts = 1_700_000_000_000 + (i * 10);
            byte[] data = body?.Invoke(i) ?? Encoding.UTF8.GetBytes($"message {i} says hello to everyone in {convId}, again");
            var message = new Message(i * 3, convId, (uint)i, DateTimeOffset.FromUnixTimeMilliseconds(ts), data);
            return new ConvEntry(message, ts);
        }).ToArray();
}
