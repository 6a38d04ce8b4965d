using BlockStore.Engine;

namespace BlockStore.Tests.Engine;

public sealed class BlockCodecTests
{
    private static readonly StoreIndex Where = new(3, 4096, 0, DateTimeOffset.UnixEpoch);

    [Fact]
    public void Conversation_block_round_trips()
    {
        ConvEntry[] entries = ConversationEntries("房间-1", 5);
        byte[] block = BlockCodec.EncodeConversation("房间-1", entries);

        ConvEntry[] decoded = BlockCodec.DecodeConversation(block, "房间-1", Where);

        Assert.Equal(block.Length, BlockCodec.Overhead(System.Text.Encoding.UTF8.GetByteCount("房间-1")) + entries.Sum(e => e.EncodedSize));
        Assert.Equal(entries.Length, decoded.Length);
        for (int i = 0; i < entries.Length; i++)
        {
            Assert.Equal(entries[i].SeqId, decoded[i].SeqId);
            Assert.Equal(entries[i].Timestamp, decoded[i].Timestamp);
            Assert.Equal(entries[i].Message.SenderId, decoded[i].Message.SenderId);
            Assert.Equal(entries[i].Message.CreatedAt, decoded[i].Message.CreatedAt);
            Assert.Equal(entries[i].Message.Data.ToArray(), decoded[i].Message.Data.ToArray());
        }
    }

    [Fact]
    public void User_block_round_trips()
    {
        UserEntry[] entries = [new(5, "c-1", 100, 3), new(9, "会话", 100, 6), new(12, "c-1", 150, 3)];
        byte[] block = BlockCodec.EncodeUser("u", entries);

        UserEntry[] decoded = BlockCodec.DecodeUser(block, "u", Where);

        Assert.Equal(entries.Select(e => (e.SeqId, e.ConvId, e.Timestamp)), decoded.Select(e => (e.SeqId, e.ConvId, e.Timestamp)));
    }

    [Fact]
    public void Every_corrupted_byte_is_detected()
    {
        byte[] block = BlockCodec.EncodeConversation("c", ConversationEntries("c", 3));
        for (int i = 0; i < block.Length; i++)
        {
            foreach (byte flip in new byte[] { 0x01, 0x80, 0xFF })
            {
                byte[] damaged = (byte[])block.Clone();
                damaged[i] ^= flip;

                var error = Assert.Throws<CorruptBlockException>(() => BlockCodec.DecodeConversation(damaged, "c", Where));
                Assert.Equal(3, error.StoreId);
                Assert.Equal(4096, error.Offset);
            }
        }
    }

    [Fact]
    public void Every_corrupted_byte_of_a_user_block_is_detected()
    {
        byte[] block = BlockCodec.EncodeUser("u", [new(1, "c", 10, 1), new(2, "d", 11, 1)]);
        for (int i = 0; i < block.Length; i++)
        {
            byte[] damaged = (byte[])block.Clone();
            damaged[i] ^= 0x10;
            Assert.Throws<CorruptBlockException>(() => BlockCodec.DecodeUser(damaged, "u", Where));
        }
    }

    [Fact]
    public void Truncated_or_foreign_blocks_are_detected()
    {
        byte[] block = BlockCodec.EncodeConversation("c", ConversationEntries("c", 2));

        Assert.Throws<CorruptBlockException>(() => BlockCodec.DecodeConversation(block[..^1], "c", Where));
        Assert.Throws<CorruptBlockException>(() => BlockCodec.DecodeConversation(new byte[10], "c", Where));
        Assert.Throws<CorruptBlockException>(() => BlockCodec.DecodeConversation(new byte[200], "c", Where));
        Assert.Throws<CorruptBlockException>(() => BlockCodec.DecodeConversation(block, "another", Where));
        Assert.Throws<CorruptBlockException>(() => BlockCodec.DecodeUser(block, "c", Where));
    }

    private static ConvEntry[] ConversationEntries(string convId, int count) =>
        Enumerable.Range(1, count).Select(i =>
        {
            long ts = 1_700_000_000_000 + (i * 10);
            var message = new Message(i * 3, convId, (uint)i, DateTimeOffset.FromUnixTimeMilliseconds(ts), new byte[] { (byte)i, 2, 3, (byte)(i * 7) });
            return new ConvEntry(message, ts);
        }).ToArray();
}
