namespace BlockStore;

/// <summary>When an acknowledged write is safe.</summary>
public enum Durability
{
    /// <summary>Acknowledge after the write is flushed to stable storage (fsync, SQLite <c>synchronous=FULL</c>): survives a power cut.</summary>
    Full = 0,

    /// <summary>Acknowledge after the write reached the operating system: survives a process crash, not a power cut.</summary>
    Normal = 1,
}
