namespace BlockStore.Engine;

/// <summary>A validated message on its way through the writer: owned body, distinct recipients, and (once assigned) SeqId and timestamp.</summary>
internal sealed class PendingMessage(string convId, uint senderId, ReadOnlyMemory<byte> data, string[] userIds)
{
    public string ConvId { get; } = convId;

    public uint SenderId { get; } = senderId;

    public ReadOnlyMemory<byte> Data { get; } = data;

    public string[] UserIds { get; } = userIds;

    private int _journalSize;

    /// <summary>The UTF-8 bytes of the conversation id and the recipients together, when validation measured them; else -1.</summary>
    public int IdBytes { get; init; } = -1;

    /// <summary>The bytes this message takes in a journal record (computed once).</summary>
    public int JournalSize => _journalSize != 0 ? _journalSize : _journalSize = JournalCodec.MessageSize(this);

    public long SeqId { get; set; }

    /// <summary>CreatedAt in Unix milliseconds.</summary>
    public long Timestamp { get; set; }
}
