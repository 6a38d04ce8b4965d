namespace BlockStore.Providers.File;

/// <summary>The kinds of file the provider writes; each has its own signature in <see cref="FileHeader"/>.</summary>
internal enum FileKind
{
    /// <summary>A fixed-capacity store of block bytes.</summary>
    Store,

    /// <summary>A segment of the journal of open blocks.</summary>
    JournalSegment,

    /// <summary>The log of timeline metadata changes since the last snapshot.</summary>
    TimelineLog,

    /// <summary>The snapshot of all timeline metadata.</summary>
    TimelineSnapshot,

    /// <summary>The log of checkpoint changes since the last snapshot.</summary>
    CheckpointLog,

    /// <summary>The snapshot of all checkpoints.</summary>
    CheckpointSnapshot,

    /// <summary>The index of sealed blocks, one chain of block records per timeline.</summary>
    TimelineBlocks,

    /// <summary>The log of inbox changes since the last snapshot.</summary>
    InboxLog,

    /// <summary>The snapshot of all inboxes.</summary>
    InboxSnapshot,

    /// <summary>The log of the bytes freed in each store since the last snapshot.</summary>
    FreedLog,

    /// <summary>The snapshot of the bytes freed in each store.</summary>
    FreedSnapshot,

    /// <summary>The sorted run of the key directory (each timeline's newest block record and totals).</summary>
    DirectoryTable,

    /// <summary>The log of key directory changes since its sorted run.</summary>
    DirectoryLog,

    /// <summary>The sorted run of the inbox index (per user and conversation, the row of the inbox).</summary>
    InboxTable,

    /// <summary>The log of inbox index changes since its sorted run.</summary>
    InboxTableLog,
}
