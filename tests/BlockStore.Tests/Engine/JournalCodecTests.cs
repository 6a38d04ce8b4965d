using BlockStore.Engine;

namespace BlockStore.Tests.Engine;

public sealed class JournalCodecTests
{
    [Fact]
    public void Record_round_trips_every_field()
    {
        PendingMessage[] messages =
        [
            new("群聊", 7, new byte[] { 1, 2, 3 }, ["a", "用户"]) { SeqId = 10, Timestamp = 1000 },
            new("c", 8, Array.Empty<byte>(), []) { SeqId = 11, Timestamp = 1001 },
        ];
        byte[] record = JournalCodec.Encode(messages);

        List<PendingMessage> decoded = JournalCodec.Decode(10, record);

        Assert.Equal(2, decoded.Count);
        Assert.Equal(("群聊", 7u, 10L, 1000L), (decoded[0].ConvId, decoded[0].SenderId, decoded[0].SeqId, decoded[0].Timestamp));
        Assert.Equal(new byte[] { 1, 2, 3 }, decoded[0].Data.ToArray());
        Assert.Equal(["a", "用户"], decoded[0].UserIds);
        Assert.Empty(decoded[1].UserIds);
        Assert.True(decoded[1].Data.IsEmpty);
    }

    [Fact]
    public void Every_corrupted_byte_is_detected()
    {
        byte[] record = JournalCodec.Encode([new PendingMessage("c", 1, new byte[] { 9, 9 }, ["u"]) { SeqId = 1, Timestamp = 5 }]);

        for (int i = 0; i < record.Length; i++)
        {
            byte[] damaged = (byte[])record.Clone();
            damaged[i] ^= 0x04;
            Assert.Throws<BlockStoreException>(() => JournalCodec.Decode(1, damaged));
        }

        Assert.Throws<BlockStoreException>(() => JournalCodec.Decode(1, record[..^2]));
    }
}
