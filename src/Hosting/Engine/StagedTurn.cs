namespace BlockStore.Engine;

/// <summary>
/// What the writer staged in one turn while the turn's journal record was being written: the timelines with staged entries,
/// the messages, and what staging charged, so the turn can be published once the record is durable, or undone when it is not.
/// </summary>
internal sealed class StagedTurn
{
    /// <summary>The conversations with staged entries, each once.</summary>
    public List<TimelineBase> Conversations { get; } = [];

    /// <summary>The user timelines with staged entries, each once.</summary>
    public List<TimelineBase> Users { get; } = [];

    /// <summary>Every message staged, with its conversation's id as the working set holds it (also those whose entries recovery skipped as sealed).</summary>
    public List<(PendingMessage Message, string ConvId)> Applied { get; } = [];

    /// <summary>The blocks staging opened, counted once published.</summary>
    public List<MemBlock> Opened { get; } = [];

    /// <summary>The timelines staging created (the index does not know them), counted once published.</summary>
    public List<TimelineBase> Created { get; } = [];

    /// <summary>The bytes staging charged to the open blocks.</summary>
    public long ChargedBytes { get; set; }

    /// <summary>How many blocks staging froze, counted once published.</summary>
    public int FrozenBlocks { get; set; }

    public void Clear()
    {
        Conversations.Clear();
        Users.Clear();
        Applied.Clear();
        Opened.Clear();
        Created.Clear();
        ChargedBytes = 0;
        FrozenBlocks = 0;
    }
}
