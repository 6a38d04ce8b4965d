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
    public void Idempotency_keys_and_carried_keys_round_trip()
    {
        byte[] record = JournalCodec.Encode(
        [
            new PendingMessage("c", 7, new byte[] { 1 }, ["u"]) { SeqId = 10, Timestamp = 1000, IdempotencyKey = "键-1", Fingerprint = 3 },
            new PendingMessage("c", 7, new byte[] { 2 }, []) { SeqId = 11, Timestamp = 1001 },
        ]);
        byte[] carried = JournalCodec.EncodeCarriedKeys([new IdempotencyEntry("d", "k", 4, 400, 0xABCD, 4)]);
        var keys = new List<IdempotencyEntry>();

        List<PendingMessage> decoded = JournalCodec.Decode(10, record, keys, changes: null, rules: null);
        Assert.Empty(JournalCodec.Decode(12, carried, keys, changes: null, rules: null));

        Assert.Equal(["键-1", null], decoded.Select(m => m.IdempotencyKey));
        Assert.Equal(IdempotencyEntry.FingerprintOf(7, [1]), decoded[0].Fingerprint);
        Assert.Equal(
            [("c", "键-1", 10L, 1000L, IdempotencyEntry.FingerprintOf(7, [1]), 10L), ("d", "k", 4L, 400L, 0xABCDu, 12L)],
            keys.Select(k => (k.ConvId, k.Key, k.SeqId, k.Timestamp, k.Fingerprint, k.JournalId)));
    }

    [Fact]
    public void Version_1_records_stay_readable()
    {
        // One message (seq 1, timestamp 5, sender 1, conversation "c", body 09 09, recipient "u") as version 1 wrote it.
        byte[] record = Convert.FromHexString("42534A520100000001000000010000000000000005000000000000000100000001006302000000090901000000010075A39CEA55");

        PendingMessage message = Assert.Single(JournalCodec.Decode(1, record));

        Assert.Equal(("c", 1u, 1L, 5L, (string?)null), (message.ConvId, message.SenderId, message.SeqId, message.Timestamp, message.IdempotencyKey));
        Assert.Equal(new byte[] { 9, 9 }, message.Data.ToArray());
        Assert.Equal(["u"], message.UserIds);
    }

    [Fact]
    public void Rules_round_trip_and_a_damaged_rule_is_reported()
    {
        byte[] record = JournalCodec.EncodeRules(
        [
            new LifecycleRule(RuleKind.ConversationDeleted, "会话", 0, 41),
            new LifecycleRule(RuleKind.UserDeleted, "u", 0, 42),
            new LifecycleRule(RuleKind.SenderErased, "", 7, 43),
            new LifecycleRule(RuleKind.Retention, "c", 0, 86_400_000),
        ]);
        var rules = new List<LifecycleRule>();

        Assert.Empty(JournalCodec.Decode(50, record, keys: null, changes: null, rules));

        Assert.Equal(
            [(RuleKind.ConversationDeleted, "会话", 0u, 41L, 50L), (RuleKind.UserDeleted, "u", 0u, 42L, 50L), (RuleKind.SenderErased, "", 7u, 43L, 50L), (RuleKind.Retention, "c", 0u, 86_400_000L, 50L)],
            rules.Select(r => (r.Kind, r.Id, r.SenderId, r.Value, r.JournalId)));
        byte[] bad = JournalCodec.EncodeRules([new LifecycleRule((RuleKind)9, "c", 0, 1)]);
        Assert.Contains("rule is out of range", Assert.Throws<BlockStoreException>(() => JournalCodec.Decode(51, bad, keys: null, changes: null, rules)).Message);
    }

    [Fact]
    public void Events_and_carried_changes_round_trip()
    {
        byte[] record = JournalCodec.Encode(
        [
            new PendingMessage("c", 7, new byte[] { 5 }, ["u"]) { SeqId = 12, Timestamp = 1002, Kind = MessageKind.Edit, TargetSeqId = 10 },
            new PendingMessage("c", 7, Array.Empty<byte>(), []) { SeqId = 13, Timestamp = 1003, Kind = MessageKind.Delete, TargetSeqId = 11 },
        ]);
        byte[] carried = JournalCodec.EncodeCarriedChanges([new MessageChange("会话", 4, 9, new byte[] { 8, 8 }, 450, Deleted: false, 5, 450)]);
        var changes = new List<MessageChange>();

        List<PendingMessage> decoded = JournalCodec.Decode(12, record);
        Assert.Empty(JournalCodec.Decode(14, carried, keys: null, changes, rules: null));

        Assert.Equal([(MessageKind.Edit, 10L), (MessageKind.Delete, 11L)], decoded.Select(m => (m.Kind, m.TargetSeqId)));
        MessageChange change = Assert.Single(changes);
        Assert.Equal(("会话", 4L, 9u, 450L, false, 5L, 450L, 14L), (change.ConvId, change.TargetSeqId, change.SenderId, change.EditedAt, change.Deleted, change.EventSeqId, change.EventTimestamp, change.JournalId));
        Assert.Equal(new byte[] { 8, 8 }, change.Data.ToArray());
    }

    [Fact]
    public void Version_2_records_stay_readable()
    {
        // Version 2 wrote a message without the kind and target fields: drop them from a version 3 record and re-frame it.
        byte[] v3 = JournalCodec.Encode([new PendingMessage("c", 1, new byte[] { 9, 9 }, ["u"]) { SeqId = 1, Timestamp = 5 }]);
        byte[] v2 = [.. v3.AsSpan(0, v3.Length - 4 - 9), 0, 0, 0, 0];
        v2[4] = 2;
        BlockV1Writer.Reseal(v2);

        PendingMessage message = Assert.Single(JournalCodec.Decode(1, v2));

        Assert.Equal(("c", 1u, 1L, 5L, MessageKind.Message, 0L), (message.ConvId, message.SenderId, message.SeqId, message.Timestamp, message.Kind, message.TargetSeqId));
        Assert.Equal(new byte[] { 9, 9 }, message.Data.ToArray());
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
