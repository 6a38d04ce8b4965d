namespace BlockStore.DataSets;

/// <summary>A data set open in a <see cref="MessageStoreFactory"/>: its store, the calls using it now and when the last one ended.</summary>
/// <param name="store">The data set's store.</param>
/// <param name="ready">Completes when an earlier instance of the same data set has closed.</param>
internal sealed class OpenDataSet(MessageStore store, Task ready)
{
    /// <summary>The data set's store.</summary>
    public MessageStore Store { get; } = store;

    /// <summary>Completes when an earlier instance of the same data set has closed, so this one can take it.</summary>
    public Task Ready { get; } = ready;

    /// <summary>The calls (and watches) using the store now; guarded by the factory's lock.</summary>
    public int Users { get; set; }

    /// <summary>When the last call ended (<see cref="Environment.TickCount64"/>); guarded by the factory's lock.</summary>
    public long IdleSince { get; set; } = Environment.TickCount64;
}
